namespace TokenService.Seeding;

/// <summary>
/// Demo data for running on one machine (bound from <c>DemoSeed</c>). Off by default; the local run script
/// switches it on with freshly generated credentials. Never enable it in production.
/// </summary>
public sealed class DemoSeedOptions
{
    public const string SectionName = "DemoSeed";

    /// <summary>Seed the demo roles, users and clients into an empty store. Default <c>false</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Password of the demo user <c>admin</c>.</summary>
    public string AdminPassword { get; set; } = "";

    /// <summary>Password of the demo user <c>alice</c>.</summary>
    public string UserPassword { get; set; } = "";

    /// <summary>Secret of the <c>orders-service</c> client (at least 32 characters).</summary>
    public string OrdersServiceSecret { get; set; } = "";

    /// <summary>Secret of the <c>reporting-service</c> client (at least 32 characters).</summary>
    public string ReportingServiceSecret { get; set; } = "";
}
