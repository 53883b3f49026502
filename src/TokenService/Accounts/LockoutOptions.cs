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
    /// while locked never extend it.
    /// </summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long an address stays familiar after the user's last completed sign-in from it. Default 30 days; between
    /// 1 day and 365 days. Failures from a familiar address count apart from the account's shared count, so an
    /// attacker elsewhere can lock the account only for addresses the user has not signed in from lately.
    /// </summary>
    public TimeSpan FamiliarSourceLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Most familiar addresses remembered per user (the least recently used are forgotten). Default 10; between 1 and 100.</summary>
    public int MaxFamiliarSources { get; set; } = 10;
}
