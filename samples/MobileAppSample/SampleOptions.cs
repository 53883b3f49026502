namespace MobileAppSample;

/// <summary>What the sample does. Bound from <c>Sample</c>; override with e.g. <c>--Sample:Duration=00:03:00</c> or <c>Sample__Password=…</c>.</summary>
public sealed class SampleOptions
{
    public const string SectionName = "Sample";

    /// <summary>Who signs in. Default <c>alice</c>.</summary>
    public string UserName { get; set; } = "alice";

    /// <summary>The user's password (printed by <c>./run.sh</c>). Required; pass it by environment or command line, never commit it.</summary>
    public string Password { get; set; } = "";

    /// <summary>How long to call the APIs. Default 16 minutes: three 5-minute access-token lifetimes and then some.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(16);

    /// <summary>How many callers run at once. Default 8.</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>Each caller's pause between two requests. Default 250 ms.</summary>
    public TimeSpan Pause { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gateway paths the callers take turns on (GET); appsettings.json lists orders and inventory items.</summary>
    public IList<string> Paths { get; } = [];
}
