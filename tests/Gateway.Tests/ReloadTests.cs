using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>Configuration changed while the gateway runs, as a reloaded appsettings file or config map would change it.</summary>
[TestFixture]
public sealed class ReloadTests : GatewayPerTestBase
{
    [SetUp]
    public void StartGateway() => Rig.StartGateway();

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

    [Test]
    public async Task An_invalid_policy_change_at_run_time_leaves_the_last_valid_policies_in_force()
    {
        var reader = Rig.Key.CreateToken(OrdersReader);
        var scopeOnly = Rig.Key.CreateToken(new TokenSpec { Scopes = ["orders"] });

        Reconfigure(("Gateway:Policies:orders-read:RequiredScopes:1", " "));
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        Assert.That(await StatusAsync("/api/orders", reader), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusAsync("/api/orders", scopeOnly), Is.EqualTo(HttpStatusCode.Forbidden));
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

    private async Task<HttpStatusCode> StatusAsync(string path, string? token)
    {
        using var response = await Rig.SendAsync(HttpMethod.Get, path, token);
        return response.StatusCode;
    }

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
