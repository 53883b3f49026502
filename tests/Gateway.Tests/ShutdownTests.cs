using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>Stopping the gateway while a slow service is still answering a request.</summary>
[TestFixture]
public sealed class ShutdownTests : GatewayPerTestBase
{
    private LoopbackApp _slow = null!;
    private TaskCompletionSource _requestArrived = null!;

    [SetUp]
    public async Task StartSlowService()
    {
        _requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _slow = await LoopbackApp.StartAsync(app => app.Run(async context =>
        {
            _requestArrived.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
            await context.Response.WriteAsync("done", context.RequestAborted);
        }));
    }

    [TearDown]
    public async Task StopSlowService() => await _slow.DisposeAsync();

    [Test]
    public async Task A_request_in_flight_completes_while_the_gateway_stops()
    {
        StartGateway(shutdownTimeoutSeconds: 30);
        var inFlight = GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));
        await _requestArrived.Task;

        var stopping = StopGatewayAsync();
        using var response = await inFlight;
        await stopping;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("done"));
    }

    [Test]
    public async Task A_request_still_in_flight_after_the_shutdown_timeout_is_cut_off()
    {
        StartGateway(shutdownTimeoutSeconds: 1);
        var inFlight = GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));
        await _requestArrived.Task;

        await StopGatewayAsync();

        Assert.That(async () => (await inFlight).StatusCode, Throws.InstanceOf<HttpRequestException>());
    }

    private void StartGateway(int shutdownTimeoutSeconds) => Rig.StartGateway(new Dictionary<string, string>
    {
        ["ReverseProxy:Clusters:orders:Destinations:primary:Address"] = _slow.BaseAddress.ToString(),
        ["shutdownTimeoutSeconds"] = $"{shutdownTimeoutSeconds}",
    }, onKestrel: true);

    private Task StopGatewayAsync() => Rig.Gateway.Services.GetRequiredService<IHost>().StopAsync();
}
