using System.Net;
using NUnit.Framework;

namespace Gateway.Tests;

/// <summary>Run against the gateway on the JIT in process and against the published native executable.</summary>
[TestFixture(GatewayBuild.Jit)]
[TestFixture(GatewayBuild.Native)]
public sealed class RoutePolicyTests(GatewayBuild build) : GatewayTestBase(build)
{
    [Test]
    public async Task The_token_endpoint_is_public()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password" });

        using var response = await Client.PostAsync("/connect/token", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await EchoOf(response)).Path, Is.EqualTo("/connect/token"));
    }

    [Test]
    public async Task Discovery_is_public()
    {
        using var response = await GetAsync("/.well-known/openid-configuration", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_path_no_route_matches_is_not_found_rather_than_proxied()
    {
        using var response = await GetAsync("/internal/reservations", Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Writing_needs_the_write_permission_even_with_the_read_permission()
    {
        using var content = new StringContent("{}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = content };
        request.Headers.Authorization = new("Bearer", Key.CreateToken(OrdersReader));

        using var response = await Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task The_route_policy_applies_whatever_the_case_of_the_path()
    {
        using var response = await GetAsync("/API/ORDERS", Key.CreateToken(new() { Scopes = ["orders"] }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
