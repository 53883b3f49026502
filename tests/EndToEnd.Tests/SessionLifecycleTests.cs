using System.Net;
using NUnit.Framework;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>A mobile app's session through the gateway: refresh keeps it going, rotation is enforced, rights follow the store.</summary>
[TestFixture]
public sealed class SessionLifecycleTests
{
    private PostgresServer _postgres = null!;
    private Platform _platform = null!;
    private MobileApp _app = null!;

    [OneTimeSetUp]
    public async Task StartPlatform()
    {
        _postgres = await PostgresServer.StartAsync();
        _platform = await Platform.StartAsync(_postgres);
        _app = new MobileApp(_platform.GatewayAddress);
    }

    [OneTimeTearDown]
    public async Task StopPlatform()
    {
        _app.Dispose();
        await _platform.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Test]
    public async Task A_refreshed_access_token_works_at_the_gateway_and_the_services()
    {
        var (_, refresh) = await _app.SignInWithRefreshAsync("alice", Platform.UserPassword);

        var (access, _) = await _app.RefreshAsync(refresh);
        using var response = await _app.SendAsync(HttpMethod.Get, "/api/orders", access);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_stolen_refresh_token_used_after_its_owner_refreshed_ends_the_session_for_both()
    {
        var (_, refresh) = await _app.SignInWithRefreshAsync("alice", Platform.UserPassword);
        var (_, ownersNext) = await _app.RefreshAsync(refresh);
        var (_, ownersLatest) = await _app.RefreshAsync(ownersNext);

        var thief = async () => await _app.RefreshAsync(refresh);
        var owner = async () => await _app.RefreshAsync(ownersLatest);

        Assert.That(thief, Throws.InstanceOf<HttpRequestException>());
        Assert.That(owner, Throws.InstanceOf<HttpRequestException>());
    }
}
