using System.Net.Http.Json;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>One gateway, fake authority and echo backend per fixture.</summary>
/// <param name="build">The gateway the fixture runs against; fixtures that take it as a fixture argument run against both.</param>
public abstract class GatewayTestBase(GatewayBuild build = GatewayBuild.Jit)
{
    private GatewayRig _rig = null!;

    /// <summary>A token that passes the <c>orders-read</c> route policy.</summary>
    protected static TokenSpec OrdersReader => GatewayRig.OrdersReader;

    /// <summary>Settings a fixture changes from the defaults of <see cref="GatewayHost"/>.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Whether the fixture's gateway listens on a real port (Kestrel) rather than the in-memory test server.</summary>
    protected virtual bool OnKestrel => false;

    /// <summary>Whether the fixture's gateway is the published native executable, run as a process of its own (<see cref="NativeGateway"/>).</summary>
    protected bool Native => build == GatewayBuild.Native;

    protected TestSigningKey Key => _rig.Key;

    internal GatewayRig Rig => _rig;

    protected FakeAuthority Authority => _rig.Authority;

    protected HttpClient Client => _rig.Client;

    protected MetricCollector<T> Collect<T>(string instrument)
        where T : struct => _rig.Collect<T>(instrument);

    [OneTimeSetUp]
    public async Task StartGateway()
    {
        _rig = await GatewayRig.StartNeighboursAsync();
        if (Native)
        {
            await _rig.StartNativeGatewayAsync(Settings);
        }
        else
        {
            _rig.StartGateway(Settings, OnKestrel);
        }
    }

    [OneTimeTearDown]
    public async Task StopGateway() => await _rig.DisposeAsync();

    protected Task<HttpResponseMessage> GetAsync(string path, string? token, params (string Name, string Value)[] headers) =>
        _rig.SendAsync(HttpMethod.Get, path, token, headers);

    /// <summary>What reached the echo backend; header names compare case-insensitively, as HTTP's do.</summary>
    protected static async Task<EchoedRequest> EchoOf(HttpResponseMessage response)
    {
        var echo = (await response.Content.ReadFromJsonAsync<EchoedRequest>())!;
        return echo with { Headers = new Dictionary<string, string>(echo.Headers, StringComparer.OrdinalIgnoreCase) };
    }
}
