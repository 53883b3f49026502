namespace TokenService.Accounts;

/// <summary>
/// A client address (IPv4, or IPv6 per /64) from which the user completed a sign-in, with a lockout count of its own.
/// While familiar (<see cref="LockoutOptions.FamiliarSourceLifetime"/> since the last completed sign-in from it), attempts
/// from it are judged by this count instead of the account's shared one, so guessing from elsewhere cannot lock the
/// user out of the places they sign in from. Forgotten when the password is replaced.
/// </summary>
public sealed class FamiliarSignInSource : ILockoutCounter
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The address key (see <see cref="LoginRateLimiter.AddressKey"/>), as the audit log and sessions record addresses.</summary>
    public required string Address { get; set; }

    /// <summary>The last completed sign-in (password, and second factor if the user has one) from this address.</summary>
    public DateTimeOffset LastSignInAt { get; set; }

    public int FailedLoginCount { get; set; }

    public DateTimeOffset? LockoutEndsAt { get; set; }
}
