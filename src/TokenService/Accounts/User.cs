using TokenService.Mfa;

namespace TokenService.Accounts;

public sealed class User : ILockoutCounter
{
    public Guid Id { get; set; }

    /// <summary>The user name as entered at sign-up (NFKC-normalised).</summary>
    public required string UserName { get; set; }

    /// <summary>Upper-cased invariant form of <see cref="UserName"/>; unique. Look-ups use it.</summary>
    public required string NormalizedUserName { get; set; }

    /// <summary>Argon2id hash in PHC string form; never the password.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>Contact address (NFKC-normalised); sign-ups use it as the user name too.</summary>
    public string? Email { get; set; }

    /// <summary>Upper-cased invariant form of <see cref="Email"/>; unique.</summary>
    public string? NormalizedEmail { get; set; }

    /// <summary>
    /// SHA-256 of the token that confirms a sign-up; while set the account cannot sign in. Null for confirmed
    /// accounts and for accounts an administrator created.
    /// </summary>
    public byte[]? ConfirmationTokenHash { get; set; }

    /// <summary>When an unconfirmed sign-up lapses; after that its address may be signed up again.</summary>
    public DateTimeOffset? ConfirmationExpiresAt { get; set; }

    public bool IsDisabled { get; set; }

    /// <summary>
    /// Failed sign-ins from addresses not familiar to the user since the last success or the end of the last lockout
    /// (see <see cref="AccountLockout"/>).
    /// </summary>
    public int FailedLoginCount { get; set; }

    /// <summary>
    /// While in the future, the account refuses every sign-in from an address not familiar to the user (answering
    /// exactly like a wrong password); familiar addresses have their own count (<see cref="FamiliarSignInSource"/>).
    /// </summary>
    public DateTimeOffset? LockoutEndsAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public ICollection<Role> Roles { get; } = [];

    /// <summary>The user's TOTP authenticator, pending or on; null when the user never enrolled (or it was removed).</summary>
    public UserMfa? Mfa { get; set; }

    /// <summary>True when sign-in needs a second factor after the password.</summary>
    public bool HasMfa => Mfa?.EnabledAt is not null;
}
