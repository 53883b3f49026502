using System.Net;
using NUnit.Framework;
using TokenService.Clients;
using TokenService.Data;

namespace TokenService.Tests;

[TestFixture(DatabaseProvider.Postgres)]
public sealed class IntrospectionTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private static readonly (string, string) ReportingService = ("reporting-service", TokenServiceHost.ReportingServiceSecret);
    private static readonly (string Id, string Secret) WebApp = ("web-app", "a-web-app-secret-of-forty-characters-xyz");

    /// <summary>A confidential client that signs users in, so it holds refresh tokens of its own to introspect.</summary>
    [OneTimeSetUp]
    public Task AddConfidentialAppWithSessions() => ChangeStoreAsync((database, _) =>
    {
        database.Clients.Add(new Client
        {
            ClientId = WebApp.Id, DisplayName = "A confidential web app", SecretHash = ClientSecrets.Hash(WebApp.Secret),
            AllowedGrantTypes = ["password", "refresh_token"], AllowedScopes = ["orders"], AllowedAudiences = ["orders-api"],
        });
        return Task.CompletedTask;
    });

    [Test]
    public async Task A_live_access_token_is_active_with_its_claims()
    {
        var token = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword).AccessTokenAsync();

        var answer = await IntrospectAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(answer.GetProperty("token_type").GetString(), Is.EqualTo("access_token"));
            Assert.That(answer.GetProperty("client_id").GetString(), Is.EqualTo("mobile-app"));
            Assert.That(answer.GetProperty("scope").GetString(), Is.EqualTo("orders inventory"));
            Assert.That(answer.GetProperty("iss").GetString(), Is.EqualTo(TokenServiceHost.Issuer));
            Assert.That(answer.GetProperty("exp").GetInt64(), Is.GreaterThan(Clock.GetUtcNow().ToUnixTimeSeconds()));
        });
    }

    [Test]
    public async Task An_expired_access_token_is_inactive()
    {
        var token = await Client.ClientCredentialsAsync("orders-service", TokenServiceHost.OrdersServiceSecret).AccessTokenAsync();
        Clock.Advance(TimeSpan.FromMinutes(6));

        var answer = await IntrospectAsync(token);

        Assert.That(answer.ToString(), Is.EqualTo("""{"active":false}"""));
    }

    [TestCase("garbage")]
    [TestCase("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task A_value_that_is_no_live_token_is_inactive(string token)
    {
        Assert.That((await IntrospectAsync(token)).ToString(), Is.EqualTo("""{"active":false}"""));
    }

    [Test]
    public async Task A_refresh_token_is_not_described_to_a_client_that_does_not_own_it()
    {
        using var signIn = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);
        var refresh = (await signIn.JsonAsync()).GetProperty("refresh_token").GetString()!;

        var answer = await IntrospectAsync(refresh, hint: "refresh_token");

        Assert.That(answer.ToString(), Is.EqualTo("""{"active":false}"""));
    }

    [Test]
    public async Task A_live_refresh_token_is_described_to_the_client_that_owns_it()
    {
        var refresh = await SignInWithWebAppAsync();

        var answer = await IntrospectAsync(refresh, hint: "refresh_token", WebApp);

        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(answer.GetProperty("token_type").GetString(), Is.EqualTo("refresh_token"));
            Assert.That(answer.GetProperty("client_id").GetString(), Is.EqualTo(WebApp.Id));
            Assert.That(answer.GetProperty("scope").GetString(), Is.EqualTo("orders"));
            Assert.That(Guid.TryParse(answer.GetProperty("sid").GetString(), out _), Is.True);
        });
    }

    [Test]
    public async Task A_spent_refresh_token_is_inactive_to_the_client_that_owns_it()
    {
        var refresh = await SignInWithWebAppAsync();
        using var rotated = await Client.RequestAsync([new("grant_type", "refresh_token"), new("refresh_token", refresh)], WebApp);
        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var answer = await IntrospectAsync(refresh, hint: "refresh_token", WebApp);

        Assert.That(answer.ToString(), Is.EqualTo("""{"active":false}"""));
    }

    [Test]
    public async Task Public_clients_may_not_introspect()
    {
        using var response = await Client.RequestAsync([new("token", "x"), new("client_id", "mobile-app")], path: "/connect/introspect");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Introspection_needs_client_authentication()
    {
        using var response = await Client.RequestAsync([new("token", "x")], path: "/connect/introspect");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private async Task<string> SignInWithWebAppAsync()
    {
        using var response = await Client.RequestAsync(
            [new("grant_type", "password"), new("username", "alice"), new("password", TokenServiceHost.UserPassword), new("scope", "orders")], WebApp);
        var body = await response.JsonAsync();
        return body.GetProperty("refresh_token").GetString()!;
    }

    private async Task<System.Text.Json.JsonElement> IntrospectAsync(string token, string? hint = null, (string, string)? caller = null)
    {
        using var response = await Client.RequestAsync(
            [new("token", token), .. hint is null ? Array.Empty<KeyValuePair<string, string>>() : [new("token_type_hint", hint)]],
            caller ?? ReportingService, path: "/connect/introspect");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.JsonAsync();
    }
}
