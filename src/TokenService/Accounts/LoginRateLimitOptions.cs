namespace TokenService.Accounts;

/// <summary>Rate limits on password sign-in attempts, bound from <c>Accounts:LoginRateLimits</c>.</summary>
public sealed class LoginRateLimitOptions
{
    public const string SectionName = "Accounts:LoginRateLimits";

    /// <summary>
    /// Attempts one client address may make in any <see cref="Window"/> (IPv6 counted per /64). Default 5.
    /// A successful sign-in gives its attempt back, so only failures use up the budget.
    /// </summary>
    public int PerAddressPermitLimit { get; set; } = 5;

    /// <summary>Attempts one client address may make for one user name in any <see cref="Window"/>. Default 5.</summary>
    public int PerAddressAndUserPermitLimit { get; set; } = 5;

    /// <summary>
    /// The sliding window both limits count in. Default 15 minutes; between 1 minute and 1 day. Attempts are counted in
    /// the database, shared by every instance; those past the window are deleted once per window.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}
