using System.Diagnostics;
using NUnit.Framework;
using TestSupport;

namespace Reliability.Tests;

/// <summary>
/// Scenario 6: SIGTERM (what Kubernetes sends a pod it removes) during load. The instance stops accepting, finishes
/// what it has in flight and exits cleanly; no client sees a reset. How new requests avoid the stopping instance:
/// a stopping gateway refuses new connections and the entry point retries a refused connect on the other gateway
/// (see <see cref="TcpLoadBalancer"/>); a stopping token service refuses the gateways' new connections, which they
/// answer 502, and clients retry those like any lost token answer — in Kubernetes the endpoint removal before
/// SIGTERM spares even those.
/// </summary>
[TestFixture]
public sealed class GracefulShutdownTests : ScenarioBase
{
    private static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(45); // terminationGracePeriodSeconds in k8s/

    [Test]
    public async Task SIGTERM_to_a_gateway_under_load_drains_it_without_a_failed_request()
    {
        var (api, storm, exitCode, drained) = await TerminateUnderLoadAsync(Cluster.Gateways[0]);

        Report($"SIGTERM to {Cluster.Gateways[0].Name}: exited {exitCode} after {drained.TotalMilliseconds:F0} ms; " +
            $"entry point retried {Cluster.EntryPoint.RefusedConnects} refused connects so far");
        Report($"  API traffic: {api}");
        Report($"  refresh storm: {storm}");
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, "exit code");
            Assert.That(api.TransportErrors, Is.Empty, "API clients saw a reset");
            Assert.That(api.Failures, Is.Zero, "API requests failed");
            Assert.That(storm.Outcomes.TransportErrors, Is.Empty, "token clients saw a reset");
            Assert.That(storm.Outcomes.Failures, Is.Zero, "token requests failed");
            Assert.That(storm.LoggedOut, Is.Empty, "devices logged out");
        });
    }

    [Test]
    public async Task SIGTERM_to_a_token_service_under_load_drains_it_without_a_reset_or_a_lost_session()
    {
        var (api, storm, exitCode, drained) = await TerminateUnderLoadAsync(Cluster.TokenServices[1]);
        var ledger = await RefreshLedger.ReadAsync(Cluster.ConnectionString, storm.Clients.Select(d => d.Current.SessionId));

        Report($"SIGTERM to {Cluster.TokenServices[1].Name}: exited {exitCode} after {drained.TotalMilliseconds:F0} ms");
        Report($"  API traffic: {api}");
        Report($"  refresh storm: {storm}");
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, "exit code");
            Assert.That(api.Failures, Is.Zero, "API requests failed");
            Assert.That(storm.Outcomes.TransportErrors, Is.Empty, "token clients saw a reset");
            Assert.That(storm.LoggedOut, Is.Empty, "devices logged out");
            Assert.That(storm.DivergentRounds, Is.Zero, "threads of one device got different pairs");
            Assert.That(storm.Clients.Select(d => ledger[d.Current.SessionId].IsLive(d.Current)), Is.All.True,
                "each device holds its session's live token");
        });
    }

    /// <summary>
    /// API traffic and a refresh storm through the entry point; SIGTERM to <paramref name="instance"/> once both
    /// are under way; the traffic goes on while it drains and after it exited, then it starts again.
    /// </summary>
    private async Task<(Outcomes Api, RefreshStorm Storm, int ExitCode, TimeSpan Drained)> TerminateUnderLoadAsync(PlatformProcess instance)
    {
        var devices = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Client.SignInAsync()));
        var storm = await RefreshStorm.SignInAsync(Client, devices: 12);
        await using var load = ApiLoad.Start(Client, [.. devices.Select(d => d.Access)]);
        var refreshing = storm.RunAsync(Soak.Rounds(12), threads: 3);
        await load.WhileRunningAsync(100);

        var clock = Stopwatch.StartNew();
        var exitCode = await instance.TerminateAsync(TerminationGrace);
        var drained = clock.Elapsed;
        await load.WhileRunningAsync(200);
        await refreshing;
        await instance.StartAsync();
        await load.WhileRunningAsync(100);
        return (await load.StopAsync(), storm, exitCode, drained);
    }
}
