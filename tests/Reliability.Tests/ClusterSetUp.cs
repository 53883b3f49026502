using NUnit.Framework;
using TestSupport;

namespace Reliability.Tests;

/// <summary>
/// One local cluster for the whole assembly (starting it takes most of the time); the scenarios run one after
/// another, each breaking it and leaving it healthy again.
/// </summary>
[SetUpFixture]
public sealed class ClusterSetUp
{
    private static PostgresServer? _postgres;
    private static LocalCluster? _cluster;

    public static LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("The local cluster did not start.");

    [OneTimeSetUp]
    public async Task StartCluster()
    {
        _postgres = await PostgresServer.StartAsync();
        _cluster = await LocalCluster.StartAsync(_postgres);
    }

    [OneTimeTearDown]
    public async Task StopCluster()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>
/// A scenario against the shared cluster: it starts healthy, the scenario reports what it measured, and when it fails
/// the processes' last log lines are shown.
/// </summary>
[NonParallelizable]
public abstract class ScenarioBase
{
    protected static LocalCluster Cluster => ClusterSetUp.Cluster;

    protected PlatformClient Client { get; private set; } = null!;

    [SetUp]
    public async Task StartHealthy()
    {
        await Cluster.EnsureHealthyAsync();
        Client = new PlatformClient(Cluster.EntryPoint.Address, Cluster);
    }

    [TearDown]
    public async Task LeaveHealthy()
    {
        Client.Dispose();
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync(Cluster.RecentOutput(lines: 15));
        }

        await Cluster.EnsureHealthyAsync();
    }

    protected static void Report(string measurement) => TestContext.Out.WriteLine(measurement);
}

/// <summary>
/// How long the scenarios keep traffic flowing. CI runs the short form; <c>RELIABILITY_SOAK_SECONDS=600</c> (or
/// bench/reliability-soak.sh) stretches every traffic phase to that many seconds and multiplies the storms' rounds.
/// </summary>
public static class Soak
{
    public static int Seconds { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SOAK_SECONDS"), out var seconds) && seconds > 0 ? seconds : 0;

    /// <summary>A traffic phase: <paramref name="shortForm"/> in CI, the soak duration when set.</summary>
    public static TimeSpan Phase(TimeSpan shortForm) => Seconds > 0 ? TimeSpan.FromSeconds(Seconds) : shortForm;

    /// <summary>Rounds of a storm: <paramref name="shortForm"/> in CI, one more set of them per 10 soak seconds.</summary>
    public static int Rounds(int shortForm) => shortForm * Math.Max(1, Seconds / 10);
}
