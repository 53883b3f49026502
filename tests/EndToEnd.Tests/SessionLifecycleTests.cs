using System.Net;
using NUnit.Framework;

namespace EndToEnd.Tests;

/// <summary>A mobile app's session through the gateway: refresh keeps it going, rotation is enforced, rights follow the store.</summary>
[TestFixture]
public sealed class SessionLifecycleTests : PlatformFixture
{
    [Test]
    public async Task A_refreshed_access_token_works_at_the_gateway_and_the_services()
    {
        var (_, refresh) = await App.SignInWithRefreshAsync("alice", Platform.UserPassword);

        var (access, _) = await App.RefreshAsync(refresh);
        using var response = await App.SendAsync(HttpMethod.Get, "/api/orders", access);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_stolen_refresh_token_used_after_its_owner_refreshed_ends_the_session_for_both()
    {
        var (_, refresh) = await App.SignInWithRefreshAsync("alice", Platform.UserPassword);
        var (_, ownersNext) = await App.RefreshAsync(refresh);
        var (_, ownersLatest) = await App.RefreshAsync(ownersNext);

        var thief = async () => await App.RefreshAsync(refresh);
        var owner = async () => await App.RefreshAsync(ownersLatest);

        Assert.That(thief, Throws.InstanceOf<HttpRequestException>());
        Assert.That(owner, Throws.InstanceOf<HttpRequestException>());
    }

    [Test]
    public async Task Signing_out_through_the_gateway_ends_the_session()
    {
        var (_, refresh) = await App.SignInWithRefreshAsync("alice", Platform.UserPassword);

        using var revoked = await App.PostFormAsync("/connect/revoke", new() { ["token"] = refresh, ["client_id"] = "mobile-app" });
        var refreshAfterwards = async () => await App.RefreshAsync(refresh);

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(refreshAfterwards, Throws.InstanceOf<HttpRequestException>());
    }

    [Test]
    public async Task A_user_lists_and_ends_sessions_through_the_gateway()
    {
        var (phone, _) = await App.SignInWithRefreshAsync("alice", Platform.UserPassword);
        var (_, tabletRefresh) = await App.SignInWithRefreshAsync("alice", Platform.UserPassword);

        using var listed = await App.SendAsync(HttpMethod.Get, "/account/sessions", phone);
        using var everywhere = await App.SendAsync(HttpMethod.Delete, "/account/sessions", phone);
        var tabletAfterwards = async () => await App.RefreshAsync(tabletRefresh);

        Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(everywhere.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(tabletAfterwards, Throws.InstanceOf<HttpRequestException>());
    }
}
