using System.Net;
using NUnit.Framework;

namespace Reliability.Tests;

/// <summary>
/// Scenario 4: refresh storms across two gateways and two token services sharing PostgreSQL. Many devices, each
/// refreshing from several threads at once: the database never holds two live refresh tokens for one session, no
/// device is logged out, every device ends with a working token; a reuse outside the grace window revokes the session.
/// </summary>
[TestFixture]
public sealed class RefreshStormTests : ScenarioBase
{
    private const int Devices = 24;
    private const int Threads = 4;

    [Test]
    public async Task A_refresh_storm_across_instances_leaves_one_live_token_per_session_and_every_device_signed_in()
    {
        var storm = await RefreshStorm.SignInAsync(Client, Devices);
        var rounds = Soak.Rounds(6);

        await storm.RunAsync(rounds, Threads);
        var ledger = await RefreshLedger.ReadAsync(Cluster.ConnectionString, storm.Clients.Select(d => d.Current.SessionId));
        var working = await Task.WhenAll(storm.Clients.Select(async device =>
        {
            using var response = await Client.GetApiAsync(PlatformClient.ApiPaths[0], device.Current.Access);
            return response.StatusCode;
        }));

        Report($"refresh storm: {storm}");
        Assert.Multiple(() =>
        {
            Assert.That(storm.LoggedOut, Is.Empty, "devices logged out");
            Assert.That(storm.DivergentRounds, Is.Zero, "threads of one device got different pairs");
            Assert.That(storm.CompletedRounds, Is.EqualTo(Devices * rounds));
            Assert.That(storm.Clients.Select(d => ledger[d.Current.SessionId]),
                Is.All.Matches<FamilyState>(f => f.IsConsistent && !f.Revoked && f.Live == 1 && f.Tokens == rounds + 1),
                "each session: one token per rotation, exactly one live");
            Assert.That(storm.Clients.Select(d => ledger[d.Current.SessionId].IsLive(d.Current)), Is.All.True,
                "each device holds its session's live token");
            Assert.That(working, Is.All.EqualTo(HttpStatusCode.OK), "each device's access token works");
        });
    }

    [Test]
    public async Task Presenting_a_token_two_rotations_old_revokes_the_session()
    {
        var device = await RotatedTwiceAsync();

        await AssertReuseRevokesTheSessionAsync(device, device.History[0]);
    }

    [Test]
    public async Task Presenting_the_previous_token_after_the_grace_window_revokes_the_session()
    {
        var device = await RotatedTwiceAsync();
        await Task.Delay(LocalCluster.GracePeriod + TimeSpan.FromSeconds(1));

        await AssertReuseRevokesTheSessionAsync(device, device.History[^2]);
    }

    [Test]
    public async Task Presenting_the_previous_token_within_the_grace_window_returns_the_same_pair_from_any_instance()
    {
        var device = await RotatedTwiceAsync();

        var again = await Task.WhenAll(Enumerable.Range(0, Threads).Select(async _ =>
        {
            using var response = await Client.RefreshAsync(device.History[^2].Refresh);
            return await PlatformClient.PairAsync(response);
        }));

        var family = (await RefreshLedger.ReadAsync(Cluster.ConnectionString, [device.Current.SessionId]))[device.Current.SessionId];
        Assert.Multiple(() =>
        {
            Assert.That(again.Select(pair => pair.Refresh), Is.All.EqualTo(device.Current.Refresh));
            Assert.That(family.IsLive(device.Current), Is.True);
        });
    }

    /// <summary>Presenting <paramref name="spent"/> is refused, revokes the session, and so ends the device's live token.</summary>
    private async Task AssertReuseRevokesTheSessionAsync(StormClient device, TokenPair spent)
    {
        using var reuse = await Client.RefreshAsync(spent.Refresh);
        using var current = await Client.RefreshAsync(device.Current.Refresh);

        var family = (await RefreshLedger.ReadAsync(Cluster.ConnectionString, [device.Current.SessionId]))[device.Current.SessionId];
        Assert.Multiple(() =>
        {
            Assert.That(reuse.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(family.Revoked, Is.True);
            Assert.That(current.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the live token of a revoked session");
        });
    }

    /// <summary>A device that signed in and refreshed twice (through the entry point, one thread).</summary>
    private async Task<StormClient> RotatedTwiceAsync()
    {
        var storm = await RefreshStorm.SignInAsync(Client, devices: 1);
        await storm.RunAsync(rounds: 2, threads: 1);
        Assert.That(storm.CompletedRounds, Is.EqualTo(2), storm.ToString());
        return storm.Clients[0];
    }
}
