namespace ServiceDefaults.Shutdown;

/// <summary>Bound from the <c>Shutdown</c> section.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>Longest <see cref="DrainDelay"/> accepted: it is spent inside the host's 30-second shutdown timeout.</summary>
    public static readonly TimeSpan MaximumDrainDelay = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the process keeps serving after SIGTERM before it stops listening. Meanwhile readiness reports
    /// not-ready (load balancers that probe it stop sending new connections) and every response carries
    /// <c>Connection: close</c>, so each keep-alive connection ends after an answer, never under a request a client
    /// is sending (the reset that closing idle connections at once would risk). Then the usual graceful stop finishes
    /// the requests in flight. Default zero (stop listening at once); at most 20 seconds.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;
}
