using System.Diagnostics;
using System.Net;
using NUnit.Framework;

namespace Reliability.Tests;

/// <summary>
/// Scenario 2: every token-service instance dies (SIGKILL) while token holders call the APIs. The gateways and
/// services keep verifying with the key sets they already hold; restarting the token services is invisible to them.
/// </summary>
[TestFixture]
public sealed class TokenServiceOutageTests : ScenarioBase
{
    [Test]
    public async Task Killing_and_restarting_every_token_service_is_invisible_to_holders_of_valid_tokens()
    {
        var devices = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Client.SignInAsync()));
        await using var load = ApiLoad.Start(Client, [.. devices.Select(d => d.Access)]);
        await load.WhileRunningAsync(50);

        await Task.WhenAll(Cluster.TokenServices.Select(service => service.KillAsync()));
        var outage = Stopwatch.StartNew();
        var atKill = load.Outcomes.Requests;
        await Task.Delay(Soak.Phase(TimeSpan.FromSeconds(5)));
        var duringOutage = load.Outcomes.Requests - atKill;

        await Task.WhenAll(Cluster.TokenServices.Select(service => service.StartAsync()));
        var down = outage.Elapsed;
        await load.WhileRunningAsync(200);
        var api = await load.StopAsync();
        using var refresh = await Client.RefreshAsync(devices[0].Refresh);
        var refreshed = await PlatformClient.PairAsync(refresh);

        Report($"token services down for {down.TotalSeconds:F1} s (killed, restarted, ready); {duringOutage} API requests while none ran");
        Report($"  API traffic throughout: {api}");
        Assert.Multiple(() =>
        {
            Assert.That(duringOutage, Is.GreaterThan(0), "no traffic flowed during the outage");
            Assert.That(api.Failures, Is.Zero, "API requests with valid tokens failed");
        });
        using var afterwards = await Client.GetApiAsync(PlatformClient.ApiPaths[0], refreshed.Access);
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a token from the restarted token services");
    }
}
