using System.Net;
using System.Net.Http.Headers;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

[TestFixture(DatabaseProvider.Postgres)]
public sealed class SessionsApiTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    [Test]
    public async Task A_user_lists_their_sessions_and_sees_which_is_current()
    {
        var (access, _) = await SignInAsync("alice", TokenServiceHost.UserPassword);

        using var response = await SendAsync(HttpMethod.Get, "/account/sessions", access);
        var sessions = (await response.JsonAsync()).EnumerateArray().ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sessions.Count(s => s.GetProperty("current").GetBoolean()), Is.EqualTo(1));
            Assert.That(sessions.Select(s => s.GetProperty("clientId").GetString()), Is.All.EqualTo("mobile-app"));
        });
    }

    [Test]
    public async Task Ending_a_session_revokes_its_refresh_token()
    {
        var (access, refresh) = await SignInAsync("alice", TokenServiceHost.UserPassword);
        var (_, otherDevice) = await SignInAsync("alice", TokenServiceHost.UserPassword);
        var sessionId = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(access).GetClaim("sid").Value;

        using var ended = await SendAsync(HttpMethod.Delete, $"/account/sessions/{sessionId}", access);
        using var refreshed = await RefreshAsync(refresh);
        using var otherRefreshed = await RefreshAsync(otherDevice);

        Assert.Multiple(() =>
        {
            Assert.That(ended.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(otherRefreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Another_users_session_is_not_found()
    {
        var (alice, _) = await SignInAsync("alice", TokenServiceHost.UserPassword);
        var (admin, adminRefresh) = await SignInAsync("admin", TokenServiceHost.AdminPassword);
        var adminSession = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(admin).GetClaim("sid").Value;

        using var response = await SendAsync(HttpMethod.Delete, $"/account/sessions/{adminSession}", alice);
        using var adminRefreshed = await RefreshAsync(adminRefresh);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(adminRefreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Logging_out_everywhere_ends_every_session_of_the_user()
    {
        var (access, first) = await SignInAsync("admin", TokenServiceHost.AdminPassword);
        var (_, second) = await SignInAsync("admin", TokenServiceHost.AdminPassword);

        using var response = await SendAsync(HttpMethod.Delete, "/account/sessions", access);
        using var firstRefreshed = await RefreshAsync(first);
        using var secondRefreshed = await RefreshAsync(second);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(firstRefreshed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(secondRefreshed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task The_sessions_api_needs_a_token()
    {
        using var response = await SendAsync(HttpMethod.Get, "/account/sessions", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task A_token_without_the_identity_audience_is_refused()
    {
        using var signIn = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword, ("resource", "orders-api"));
        var ordersOnly = (await signIn.JsonAsync()).GetProperty("access_token").GetString()!;

        using var response = await SendAsync(HttpMethod.Get, "/account/sessions", ordersOnly);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer error=\"invalid_token\""));
    }

    private Task<(string Access, string Refresh)> SignInAsync(string user, string password) => Client.SignInAsync(user, password);

    private Task<HttpResponseMessage> RefreshAsync(string refresh) => Client.RefreshAsync(refresh);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return Client.SendAsync(request);
    }
}
