using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// Whose <c>X-Forwarded-For</c> the gateway believes: a gateway on a real loopback port, so the peer is 127.0.0.1,
/// trusted or not by <c>ForwardedHeaders</c>.
/// </summary>
[TestFixture]
public sealed class ClientAddressTests : GatewayPerTestBase
{
    private const string TrustLoopback = "127.0.0.0/8";

    [Test]
    public async Task Behind_a_trusted_proxy_the_service_is_told_the_client_s_address()
    {
        StartGateway(("ForwardedHeaders:TrustedNetworks:0", TrustLoopback));

        Assert.That(await ForwardedForAsync("203.0.113.7"), Is.EqualTo("203.0.113.7"));
    }

    [Test]
    public async Task X_Forwarded_For_from_an_untrusted_peer_is_ignored_and_replaced_by_the_peer()
    {
        StartGateway();

        Assert.That(await ForwardedForAsync("203.0.113.7"), Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task Behind_a_trusted_proxy_each_client_has_its_own_per_address_limit()
    {
        StartGateway(("ForwardedHeaders:TrustedNetworks:0", TrustLoopback), ("Gateway:RateLimits:PerAddress:PermitLimit", "1"));

        var statuses = new[] { await AnonymousFromAsync("203.0.113.7"), await AnonymousFromAsync("203.0.113.7"), await AnonymousFromAsync("203.0.113.8") };

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.OK }));
    }

    [Test]
    public async Task A_spoofed_X_Forwarded_For_does_not_escape_the_per_address_limit()
    {
        StartGateway(("Gateway:RateLimits:PerAddress:PermitLimit", "1"));

        var statuses = new[] { await AnonymousFromAsync("203.0.113.7"), await AnonymousFromAsync("203.0.113.8") };

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    [Test]
    public void Trusting_every_proxy_is_logged_as_a_warning()
    {
        Rig.StartGateway(new Dictionary<string, string> { ["ForwardedHeaders:TrustAllProxies"] = "true" }, services: s => s.AddFakeLogging());

        var warnings = Rig.Gateway.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Where(r => r.Id.Id == 1201);

        Assert.That(warnings.Select(r => r.Level), Is.EqualTo(new[] { Microsoft.Extensions.Logging.LogLevel.Warning }));
    }

    private void StartGateway(params (string Key, string Value)[] settings) =>
        Rig.StartGateway(settings.ToDictionary(s => s.Key, s => s.Value), onKestrel: true);

    /// <summary>The <c>X-Forwarded-For</c> the echo backend received for a request claiming <paramref name="client"/>.</summary>
    private async Task<string?> ForwardedForAsync(string client)
    {
        using var response = await Rig.SendAsync(HttpMethod.Get, "/.well-known/jwks.json", token: null, ("X-Forwarded-For", client));
        var echo = (await response.Content.ReadFromJsonAsync<EchoedRequest>())!;
        return echo.Headers.FirstOrDefault(h => h.Key.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase)).Value;
    }

    private async Task<HttpStatusCode> AnonymousFromAsync(string client)
    {
        using var response = await Rig.SendAsync(HttpMethod.Get, "/.well-known/jwks.json", token: null, ("X-Forwarded-For", client));
        return response.StatusCode;
    }
}
