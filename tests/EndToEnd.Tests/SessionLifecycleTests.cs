using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using OtpNet;
using TokenClients.AppTokens;

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

    [Test]
    public async Task A_permission_an_operator_grants_to_a_role_opens_a_route_at_the_next_refresh_and_its_revocation_closes_it()
    {
        var (alice, refresh) = await App.SignInWithRefreshAsync("alice", Platform.UserPassword);
        var admin = await App.SignInAsync("admin", Platform.AdminPassword);
        using var tokenService = new HttpClient { BaseAddress = Platform.TokenServiceAddress }; // the admin API is not routed by the gateway
        await AdministerAsync(tokenService, admin, HttpMethod.Post, "/admin/roles", new { name = "stock-keeper" });
        await AdministerAsync(tokenService, admin, HttpMethod.Put, $"/admin/users/{new JsonWebToken(alice).Subject}/roles/stock-keeper");

        await AdministerAsync(tokenService, admin, HttpMethod.Put, "/admin/roles/stock-keeper/permissions/inventory:write");
        using var beforeRefresh = await App.SendAsync(HttpMethod.Put, "/api/inventory/items/SKU-1001/stock", alice, new { available = 5 });
        var (granted, next) = await App.RefreshAsync(refresh);
        using var afterGrant = await App.SendAsync(HttpMethod.Put, "/api/inventory/items/SKU-1001/stock", granted, new { available = 5 });
        await AdministerAsync(tokenService, admin, HttpMethod.Delete, "/admin/roles/stock-keeper/permissions/inventory:write");
        var (revoked, _) = await App.RefreshAsync(next);
        using var afterRevoke = await App.SendAsync(HttpMethod.Put, "/api/inventory/items/SKU-1001/stock", revoked, new { available = 5 });

        Assert.Multiple(() =>
        {
            Assert.That(beforeRefresh.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a token carries the rights of when it was issued");
            Assert.That(afterGrant.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(afterRevoke.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task A_user_turns_on_mfa_and_the_app_client_signs_in_with_a_code_through_the_gateway()
    {
        const string password = "mfa-through-the-gateway";
        var name = $"mfa-{Guid.NewGuid():N}";
        var admin = await App.SignInAsync("admin", Platform.AdminPassword);
        using (var tokenService = new HttpClient { BaseAddress = Platform.TokenServiceAddress }) // the admin API is not routed by the gateway
        {
            await AdministerAsync(tokenService, admin, HttpMethod.Post, "/admin/users", new { userName = name, password, roles = new[] { "user" } });
        }

        var access = await App.SignInAsync(name, password);
        using var enrollment = await App.SendAsync(HttpMethod.Post, "/account/mfa/enrollment", access);
        var totp = new Totp(Base32Encoding.ToBytes((await JsonAsync(enrollment)).GetProperty("secret").GetString()));
        using var confirmed = await App.SendAsync(HttpMethod.Post, "/account/mfa/enrollment/confirm", access, new { code = totp.ComputeTotp(TimeProvider.System.GetUtcNow().UtcDateTime) });
        using var tokenHttp = new HttpClient();
        using var app = new AppTokenClient(tokenHttp, new AppTokenOptions
        {
            Authority = Platform.GatewayAddress, ClientId = "mobile-app", AllowInsecureHttp = true,
        }, new InMemoryTokenStore(), TimeProvider.System);
        var required = Assert.ThrowsAsync<MfaRequiredException>(() => app.SignInAsync(name, password, CancellationToken.None));
        var nextCode = totp.ComputeTotp(TimeProvider.System.GetUtcNow().AddSeconds(30).UtcDateTime); // the confirming code is spent
        await app.CompleteMfaAsync(required!.MfaToken, nextCode, CancellationToken.None);
        var mfaAccess = await app.GetAccessTokenAsync(CancellationToken.None);
        using var orders = await App.SendAsync(HttpMethod.Get, "/api/orders", mfaAccess);

        Assert.Multiple(() =>
        {
            Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(new JsonWebToken(mfaAccess).Claims.Where(c => c.Type == "amr").Select(c => c.Value), Is.EqualTo(new[] { "pwd", "otp", "mfa" }));
            Assert.That(orders.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    private static async Task AdministerAsync(HttpClient tokenService, string token, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await tokenService.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
