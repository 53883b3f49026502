using System.Net;
using Microsoft.AspNetCore.Builder;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>What a caller sees when the service behind a route is down or slow: problem details, never a 500 or a bare page.</summary>
[TestFixture]
public sealed class UpstreamFailureTests : GatewayPerTestBase
{
    [Test]
    public async Task A_destination_that_refuses_connections_gives_502_problem_details()
    {
        Rig.StartGateway(OrdersAt(ClosedPort()));

        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task A_destination_silent_past_the_activity_timeout_gives_504_problem_details()
    {
        await using var slow = await LoopbackApp.StartAsync(app => app.Run(context =>
            Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted)));
        Rig.StartGateway(new Dictionary<string, string>(OrdersAt(slow.BaseAddress))
        {
            ["ReverseProxy:Clusters:orders:HttpRequest:ActivityTimeout"] = "00:00:01",
        });

        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    /// <remarks>On Kestrel: the in-memory test server reports every finished request as aborted, which YARP's passive check ignores.</remarks>
    [Test]
    public async Task Destinations_failing_repeatedly_are_taken_out_and_callers_get_503_problem_details()
    {
        Rig.StartGateway(new Dictionary<string, string>(OrdersAt(ClosedPort()))
        {
            ["ReverseProxy:Clusters:orders:Destinations:secondary:Address"] = ClosedPort().ToString(),
        }, onKestrel: true);
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 30 && !statuses.Contains(HttpStatusCode.ServiceUnavailable); i++)
        {
            using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));
            statuses.Add(response.StatusCode);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }

        Assert.That(statuses, Does.Contain(HttpStatusCode.ServiceUnavailable));
        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.BadGateway).Or.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    /// <remarks>In Kubernetes the one destination is a Service that already routes around a failed pod.</remarks>
    [Test]
    public async Task A_single_destination_failing_repeatedly_stays_in_rotation_and_each_failure_is_a_502()
    {
        Rig.StartGateway(OrdersAt(ClosedPort()), onKestrel: true);
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 30; i++)
        {
            using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.BadGateway));
    }

    private static Dictionary<string, string> OrdersAt(Uri address) =>
        new() { ["ReverseProxy:Clusters:orders:Destinations:primary:Address"] = address.ToString() };

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    private static Uri ClosedPort() => new($"http://127.0.0.1:{PostgresServer.FreePort()}");
}
