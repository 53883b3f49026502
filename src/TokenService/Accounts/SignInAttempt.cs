namespace TokenService.Accounts;

/// <summary>
/// One counted password sign-in attempt under one rate-limit key (see <see cref="LoginRateLimiter"/>), shared by every
/// instance through the database. Deleted when the attempt is handed back (it succeeded, or no password was checked)
/// and by <see cref="SignInAttemptCleanup"/> once it has left the window.
/// </summary>
public sealed class SignInAttempt
{
    public Guid Id { get; set; }

    /// <summary>SHA-256 of the key (the client address, or the address and the normalised user name): no user name is stored.</summary>
    public required byte[] KeyHash { get; set; }

    public DateTimeOffset At { get; set; }
}
