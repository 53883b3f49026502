using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// Fresh neighbours for every test (test key, fake authority, echo backend); each test starts its own gateway with
/// the settings it is about, through <see cref="Rig"/>.
/// </summary>
public abstract class GatewayPerTestBase
{
    private GatewayRig? _rig;

    /// <summary>A token that passes the <c>orders-read</c> route policy.</summary>
    protected static TokenSpec OrdersReader => GatewayRig.OrdersReader;

    internal GatewayRig Rig => _rig ?? throw new InvalidOperationException("The neighbours have not been started.");

    [SetUp]
    public async Task StartNeighbours() => _rig = await GatewayRig.StartNeighboursAsync();

    [TearDown]
    public async Task StopNeighbours() => await Rig.DisposeAsync();

    protected Task<HttpResponseMessage> GetOrdersAsync(string? token) => Rig.SendAsync(HttpMethod.Get, "/api/orders", token);
}
