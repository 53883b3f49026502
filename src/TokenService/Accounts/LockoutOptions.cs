namespace TokenService.Accounts;

/// <summary>Temporary account lockout after repeated failed sign-ins, bound from <c>Accounts:Lockout</c>.</summary>
public sealed class LockoutOptions
{
    public const string SectionName = "Accounts:Lockout";

    internal static readonly TimeSpan MaximumDuration = TimeSpan.FromDays(1);

    /// <summary>Failed sign-ins in a row that lock the account. Default 5; between 3 and 100.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>
    /// How long a lockout lasts. Default 30 minutes; between 1 minute and 1 day. A lockout always ends: failures
    /// while locked never extend it, so an attacker cannot keep an account locked beyond the rate limits'
    /// budget of attempts per address.
    /// </summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(30);
}
