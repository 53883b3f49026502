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

    /// <summary>How long a test waits for something that happens in the background (a key-set fetch, readiness).</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected Task<HttpResponseMessage> GetOrdersAsync(string? token) => Rig.SendAsync(HttpMethod.Get, "/api/orders", token);

    protected async Task WaitUntilReadyAsync() => await WaitUntilAsync(async () =>
    {
        using var response = await Rig.Client.GetAsync("/health/ready");
        return response.IsSuccessStatusCode;
    });

    protected static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + Patience;
        while (!await condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                Assert.Fail($"Not reached within {Patience}.");
            }

            await Task.Delay(50);
        }
    }
}
