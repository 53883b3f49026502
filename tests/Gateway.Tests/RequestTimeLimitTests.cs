using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// <c>Gateway:RequestTimeouts:Request</c> of one second, on a gateway on a real port: whoever is slow (the service, or
/// the client sending its body), the caller gets an answer saying which, as problem details.
/// </summary>
[TestFixture]
public sealed class RequestTimeLimitTests : GatewayPerTestBase
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_service_that_has_not_answered_by_the_request_time_limit_gives_504_problem_details()
    {
        await using var slow = await LoopbackApp.StartAsync(app => app.Run(context => Task.Delay(Stall, context.RequestAborted)));
        StartGatewayInFrontOf(slow);

        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task A_client_still_sending_its_body_at_the_request_time_limit_gets_408_problem_details()
    {
        await using var reader = await LoopbackApp.StartAsync(app => app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status201Created;
        }));
        StartGatewayInFrontOf(reader);
        var token = Rig.Key.CreateToken(OrdersReader with { Permissions = ["orders:write"] });

        // By hand: HttpClient reads no answer before it has sent the whole body.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(Rig.Client.BaseAddress!.Host, Rig.Client.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            $"POST /api/orders HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"sku\":"));
        using var patience = new CancellationTokenSource(Stall);
        using var answer = new StreamReader(stream);
        var statusLine = await answer.ReadLineAsync(patience.Token);
        var headers = new List<string>();
        for (var line = await answer.ReadLineAsync(patience.Token); !string.IsNullOrEmpty(line); line = await answer.ReadLineAsync(patience.Token))
        {
            headers.Add(line);
        }

        Assert.That(statusLine, Does.StartWith("HTTP/1.1 408"));
        Assert.That(headers, Has.Some.StartsWith("Content-Type: application/problem+json"));
    }

    private void StartGatewayInFrontOf(LoopbackApp service) => Rig.StartGateway(new Dictionary<string, string>
    {
        ["ReverseProxy:Clusters:orders:Destinations:primary:Address"] = service.BaseAddress.ToString(),
        ["Gateway:RequestTimeouts:Request"] = "00:00:01",
    }, onKestrel: true);
}
