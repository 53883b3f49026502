using System.Net;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

[TestFixture(DatabaseProvider.Postgres)]
public sealed class IntrospectionTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private static readonly (string, string) ReportingService = ("reporting-service", TokenServiceHost.ReportingServiceSecret);

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

    private async Task<System.Text.Json.JsonElement> IntrospectAsync(string token, string? hint = null)
    {
        using var response = await Client.RequestAsync(
            [new("token", token), .. hint is null ? Array.Empty<KeyValuePair<string, string>>() : [new("token_type_hint", hint)]],
            ReportingService, path: "/connect/introspect");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.JsonAsync();
    }
}
