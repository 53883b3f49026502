using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>Configuration changed while the gateway runs, as a reloaded appsettings file or config map would change it.</summary>
[TestFixture]
public sealed class ReloadTests : GatewayPerTestBase
{
    /// <summary>The event every reloadable section logs when it ignores an invalid change (ServiceDefaults.Configuration).</summary>
    private const int InvalidChangeIgnored = 1101;

    private const int ChangeApplied = 1102;

    private const int ChangeWaitsForRestart = 1103;

    [SetUp]
    public void StartGateway() => Rig.StartGateway(services: services => services.AddFakeLogging());

    /// <summary>
    /// Per reloadable section: an invalid value, and a request whose answer shows the last valid value still in
    /// force (which the invalid one, were it applied, would change or break).
    /// </summary>
    private static IEnumerable<TestCaseData> InvalidChanges()
    {
        yield return new TestCaseData("Gateway:HeaderHygiene", "Gateway:HeaderHygiene:StrippedRequestHeaderPrefixes:0", " ",
            new Func<GatewayRig, Task<object>>(async rig =>
            {
                using var response = await rig.SendAsync(HttpMethod.Get, "/api/orders", rig.Key.CreateToken(OrdersReader), ("X-User-Id", "admin"));
                var echo = (await response.Content.ReadFromJsonAsync<EchoedRequest>())!;
                return echo.Headers.Keys.Any(name => name.Equals("X-User-Id", StringComparison.OrdinalIgnoreCase));
            }), false).SetArgDisplayNames("Gateway:HeaderHygiene");
        yield return new TestCaseData("Gateway:Upstreams", "Gateway:Upstreams:ActivityTimeout", "-00:00:01",
            new Func<GatewayRig, Task<object>>(async rig => await StatusAsync(rig, "/api/orders", rig.Key.CreateToken(OrdersReader))),
            HttpStatusCode.OK).SetArgDisplayNames("Gateway:Upstreams");
        yield return new TestCaseData("Gateway:RateLimits", "Gateway:RateLimits:PerAddress:PermitLimit", "0",
            new Func<GatewayRig, Task<object>>(async rig => await StatusAsync(rig, "/.well-known/jwks.json", token: null)),
            HttpStatusCode.OK).SetArgDisplayNames("Gateway:RateLimits");
        // Were the blank scope applied, no token would satisfy orders-read any more.
        yield return new TestCaseData("Gateway", "Gateway:Policies:orders-read:RequiredScopes:1", " ",
            new Func<GatewayRig, Task<object>>(async rig => await StatusAsync(rig, "/api/orders", rig.Key.CreateToken(OrdersReader))),
            HttpStatusCode.OK).SetArgDisplayNames("Gateway:Policies");
        // Were the 10-minute skew applied, a token expired two minutes ago would pass.
        yield return new TestCaseData("TokenVerification", "TokenVerification:ClockSkew", "00:10:00",
            new Func<GatewayRig, Task<object>>(async rig => await StatusAsync(rig, "/api/orders",
                rig.Key.CreateToken(OrdersReader with { IssuedAt = TimeProvider.System.GetUtcNow().AddMinutes(-7) }))),
            HttpStatusCode.Unauthorized).SetArgDisplayNames("TokenVerification");
    }

    [TestCaseSource(nameof(InvalidChanges))]
    public async Task An_invalid_change_at_run_time_is_logged_and_the_last_valid_value_stays_in_force(
        string section, string key, string value, Func<GatewayRig, Task<object>> observe, object expected)
    {
        Assert.That(await observe(Rig), Is.EqualTo(expected), "before the change");

        Reconfigure((key, value));

        Assert.That(await observe(Rig), Is.EqualTo(expected), "after the change");
        Assert.That(Logged(InvalidChangeIgnored), Has.One.Contains(section));
    }

    [Test]
    public void A_valid_change_to_a_section_read_only_at_start_is_logged_as_waiting_for_a_restart()
    {
        Reconfigure(("TokenVerification:ClockSkew", "00:00:10"));

        Assert.That(Logged(ChangeWaitsForRestart), Has.One.Contains("TokenVerification"));
        Assert.That(Logged(InvalidChangeIgnored), Is.Empty);
    }

    [Test]
    public void A_reload_is_news_only_to_the_section_whose_settings_changed()
    {
        Reconfigure(("Gateway:RateLimits:PerAddress:PermitLimit", "100"));

        Assert.That(Logged(ChangeApplied), Has.One.Contains("Gateway:RateLimits"));
        Assert.That(Logged(ChangeWaitsForRestart), Is.Empty);
    }

    [Test]
    public async Task A_rate_limit_changed_at_run_time_applies_without_a_restart()
    {
        Reconfigure(("Gateway:RateLimits:PerAddress:PermitLimit", "1"));

        Assert.That(await StatusAsync(Rig, "/.well-known/jwks.json", token: null), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusAsync(Rig, "/.well-known/jwks.json", token: null), Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task A_policy_changed_at_run_time_applies_without_a_restart()
    {
        var token = Rig.Key.CreateToken(OrdersReader);
        Assert.That(await StatusAsync("/api/orders", token), Is.EqualTo(HttpStatusCode.OK));

        Reconfigure(("Gateway:Policies:orders-read:RequiredPermissions:1", "orders:audit"));

        Assert.That(await EventuallyAsync("/api/orders", token, HttpStatusCode.Forbidden), Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task A_route_added_at_run_time_is_served_without_a_restart()
    {
        var token = Rig.Key.CreateToken(OrdersReader);
        Assert.That(await StatusAsync("/v2/orders", token), Is.EqualTo(HttpStatusCode.NotFound));

        Reconfigure(
            ("ReverseProxy:Routes:orders-v2:ClusterId", "orders"),
            ("ReverseProxy:Routes:orders-v2:AuthorizationPolicy", "orders-read"),
            ("ReverseProxy:Routes:orders-v2:Match:Path", "/v2/orders/{**rest}"));

        Assert.That(await EventuallyAsync("/v2/orders", token, HttpStatusCode.OK), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusAsync("/v2/orders", token: null), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>Sets values on every configuration provider that takes them, then reloads, which signals the change.</summary>
    private void Reconfigure(params (string Key, string Value)[] settings)
    {
        var configuration = (IConfigurationRoot)Rig.Gateway.Services.GetRequiredService<IConfiguration>();
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        configuration.Reload();
    }

    private static async Task<HttpStatusCode> StatusAsync(GatewayRig rig, string path, string? token)
    {
        using var response = await rig.SendAsync(HttpMethod.Get, path, token);
        return response.StatusCode;
    }

    private Task<HttpStatusCode> StatusAsync(string path, string? token) => StatusAsync(Rig, path, token);

    private List<string> Logged(int eventId) => Rig.Gateway.Services.GetRequiredService<FakeLogCollector>().GetSnapshot()
        .Where(record => record.Id.Id == eventId).Select(record => record.Message).ToList();

    /// <summary>The status once it is <paramref name="expected"/>, or the last one seen when patience runs out.</summary>
    private async Task<HttpStatusCode> EventuallyAsync(string path, string token, HttpStatusCode expected)
    {
        var deadline = TimeProvider.System.GetUtcNow() + Patience;
        var status = await StatusAsync(path, token);
        while (status != expected && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50);
            status = await StatusAsync(path, token);
        }

        return status;
    }
}
