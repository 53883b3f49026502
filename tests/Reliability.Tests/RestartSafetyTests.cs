using System.Diagnostics;
using System.Net;
using NUnit.Framework;

namespace Reliability.Tests;

/// <summary>
/// Scenario 5: SIGKILL one token service in the middle of a refresh storm, then start it again. Every session is
/// consistent in the database — the old token consumed and its successor stored, or neither — and every device,
/// retrying its lost answers with the same refresh token, still holds its session's live token.
/// </summary>
[TestFixture]
public sealed class RestartSafetyTests : ScenarioBase
{
    [Test]
    public async Task Killing_a_token_service_mid_storm_leaves_every_session_consistent()
    {
        var storm = await RefreshStorm.SignInAsync(Client, devices: 24);
        var victim = Cluster.TokenServices[0];

        var running = storm.RunAsync(Soak.Rounds(10), threads: 4);
        while (storm.Outcomes.Requests < 150 && !running.IsCompleted)
        {
            await Task.Delay(5);
        }

        var atKill = storm.Outcomes.Requests;
        await victim.KillAsync();
        var down = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await victim.StartAsync();
        var restartedAfter = down.Elapsed;
        await running;

        var ledger = await RefreshLedger.ReadAsync(Cluster.ConnectionString, storm.Clients.Select(d => d.Current.SessionId));
        var working = await Task.WhenAll(storm.Clients.Select(async device =>
        {
            using var response = await Client.GetApiAsync(PlatformClient.ApiPaths[0], device.Current.Access);
            return response.StatusCode;
        }));

        Report($"kill -9 of {victim.Name} after {atKill} refresh requests; restarted and ready {restartedAfter.TotalSeconds:F1} s later");
        Report($"  storm: {storm}");
        Assert.Multiple(() =>
        {
            Assert.That(atKill, Is.LessThan(storm.Outcomes.Requests), "the kill did not land mid-storm");
            Assert.That(storm.LoggedOut, Is.Empty, "devices logged out");
            Assert.That(storm.DivergentRounds, Is.Zero, "threads of one device got different pairs");
            Assert.That(storm.Clients.Select(d => ledger[d.Current.SessionId]), Is.All.Matches<FamilyState>(f => f.IsConsistent && !f.Revoked),
                "a session with a consumed token but no successor, or two live tokens");
            Assert.That(storm.Clients.Select(d => ledger[d.Current.SessionId].Tokens - d.History.Count), Is.All.Zero,
                "a session stored a token no device received");
            Assert.That(storm.Clients.Select(d => ledger[d.Current.SessionId].IsLive(d.Current)), Is.All.True,
                "each device holds its session's live token");
            Assert.That(working, Is.All.EqualTo(HttpStatusCode.OK), "each device's access token works");
        });
    }
}
