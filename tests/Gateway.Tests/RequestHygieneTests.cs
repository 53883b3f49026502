using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>Request ids, trace context and Kestrel's limits, on a real port.</summary>
[TestFixture]
public sealed class RequestHygieneTests : GatewayTestBase
{
    private const string RequestId = "X-Request-Id";

    protected override bool OnKestrel => true;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Kestrel:Limits:MaxRequestBodySize"] = "1024",
        ["Kestrel:Limits:MaxRequestHeadersTotalSize"] = "8192",
    };

    [Test]
    public async Task A_request_without_an_id_gets_one_that_the_service_and_the_caller_both_see()
    {
        using var response = await GetAsync("/api/orders", Key.CreateToken(OrdersReader));

        var returned = response.Headers.GetValues(RequestId).Single();
        Assert.That(returned, Does.Match("^[0-9a-f]{32}$"));
        Assert.That((await EchoOf(response)).Headers[RequestId], Is.EqualTo(returned));
    }

    [Test]
    public async Task A_well_formed_caller_request_id_is_kept()
    {
        using var response = await GetAsync("/api/orders", Key.CreateToken(OrdersReader), (RequestId, "app-7f3a:call.12"));

        Assert.That((await EchoOf(response)).Headers[RequestId], Is.EqualTo("app-7f3a:call.12"));
        Assert.That(response.Headers.GetValues(RequestId).Single(), Is.EqualTo("app-7f3a:call.12"));
    }

    [TestCase("has spaces in it")]
    [TestCase("<script>")]
    [TestCase("x,y")]
    [TestCase("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task A_malformed_caller_request_id_is_replaced(string supplied)
    {
        using var response = await GetAsync("/api/orders", Key.CreateToken(OrdersReader), (RequestId, supplied));

        Assert.That((await EchoOf(response)).Headers[RequestId], Does.Match("^[0-9a-f]{32}$"));
    }

    [Test]
    public async Task A_refused_request_carries_a_request_id_too()
    {
        using var response = await GetAsync("/api/orders", token: null);

        Assert.That(response.Headers.Contains(RequestId), Is.True);
    }

    [Test]
    public async Task The_callers_trace_context_continues_to_the_service_with_a_new_parent_span()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();

        // Over a raw socket: in this process the gateway's trace instrumentation would rewrite an HttpClient's trace headers.
        var echo = await RawGetAsync("/api/orders", ("Authorization", $"Bearer {Key.CreateToken(OrdersReader)}"), ("traceparent", $"00-{traceId}-{callerSpan}-01"));

        var forwarded = echo.Headers["traceparent"].Split('-');
        Assert.That(forwarded[1], Is.EqualTo(traceId));
        Assert.That(forwarded[2], Is.Not.EqualTo(callerSpan));
    }

    [TestCase("01")]
    [TestCase("00")]
    public async Task The_callers_sampling_decision_reaches_the_service_unchanged(string flags)
    {
        var traceparent = $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-{flags}";

        var echo = await RawGetAsync("/api/orders", ("Authorization", $"Bearer {Key.CreateToken(OrdersReader)}"), ("traceparent", traceparent));

        Assert.That(echo.Headers["traceparent"].Split('-')[3], Is.EqualTo(flags));
    }

    [Test]
    public async Task A_request_without_trace_context_starts_a_trace_the_service_joins()
    {
        using var response = await GetAsync("/api/orders", Key.CreateToken(OrdersReader));

        Assert.That((await EchoOf(response)).Headers["traceparent"], Does.Match("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$"));
    }

    [Test]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        // Over the token routes' own limit (64 KiB, in the gateway's appsettings), which replaces the server's there.
        using var content = new ByteArrayContent(new byte[70_000]);

        using var response = await Client.PostAsync("/connect/token", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [Test]
    public async Task Headers_over_the_limit_are_refused_with_431()
    {
        using var response = await GetAsync("/api/orders", token: null, ("X-Padding", new string('a', 10_000)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));
    }

    /// <summary>An HTTP/1.0 GET written to the gateway's socket; the response body is the rest of the stream.</summary>
    private async Task<EchoedRequest> RawGetAsync(string target, params (string Name, string Value)[] headers)
    {
        var address = Client.BaseAddress!;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var stream = tcp.GetStream();
        var head = new StringBuilder($"GET {target} HTTP/1.0\r\nHost: {address.Authority}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        Assert.That(response, Does.StartWith("HTTP/1.1 200"));
        var echo = JsonSerializer.Deserialize<EchoedRequest>(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..], JsonSerializerOptions.Web)!;
        return echo with { Headers = new Dictionary<string, string>(echo.Headers, StringComparer.OrdinalIgnoreCase) };
    }
}
