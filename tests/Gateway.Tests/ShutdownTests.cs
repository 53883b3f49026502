using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>Stopping the gateway while a slow service is still answering a request, with and without a drain phase.</summary>
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

    [Test]
    public async Task While_draining_after_a_stop_the_gateway_reports_not_ready_and_closes_each_connection_after_its_answer()
    {
        StartGateway(shutdownTimeoutSeconds: 30, drainDelay: TimeSpan.FromSeconds(2));
        using var readyBefore = await Rig.Client.GetAsync("/health/ready");

        var stopping = StopGatewayAsync();
        HttpStatusCode readyWhileDraining;
        do
        {
            using var ready = await Rig.Client.GetAsync("/health/ready");
            readyWhileDraining = ready.StatusCode;
        }
        while (readyWhileDraining == HttpStatusCode.OK && !stopping.IsCompleted);

        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));
        await stopping;

        Assert.Multiple(() =>
        {
            Assert.That(readyBefore.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(readyWhileDraining, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a request that arrived while draining");
            Assert.That(response.Headers.ConnectionClose, Is.True);
        });
    }

    private void StartGateway(int shutdownTimeoutSeconds, TimeSpan? drainDelay = null) => Rig.StartGateway(new Dictionary<string, string>
    {
        ["ReverseProxy:Clusters:orders:Destinations:primary:Address"] = _slow.BaseAddress.ToString(),
        ["shutdownTimeoutSeconds"] = $"{shutdownTimeoutSeconds}",
        ["Shutdown:DrainDelay"] = $"{drainDelay ?? TimeSpan.Zero}",
    }, onKestrel: true);

    private Task StopGatewayAsync() => Rig.Gateway.Services.GetRequiredService<IHost>().StopAsync();
}
