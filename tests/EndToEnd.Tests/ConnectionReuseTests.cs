using System.Collections.Concurrent;
using System.Net;
using System.Text;
using EndToEnd.Tests.Hostile;
using NUnit.Framework;

namespace EndToEnd.Tests;

/// <summary>
/// A service that answers a request without reading a body over its endpoint's limit (the token endpoint refuses a
/// wrong content type before reading) must not leave the gateway a pooled connection it is about to close: the next
/// request the gateway sends on it, someone else's, would get 502. The gateway's token route here lets bigger
/// bodies through than the token service takes, as a misconfigured or older gateway might.
/// </summary>
[TestFixture]
public sealed class ConnectionReuseTests : PlatformFixture
{
    private const int Pairs = 400;
    private const int Parallelism = 8;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    protected override IReadOnlyDictionary<string, string>? ValidatorSettings => new Dictionary<string, string>
    {
        ["ReverseProxy:Routes:token-endpoint:MaxRequestBodySize"] = "65536",
    };

    [Test]
    public async Task A_body_over_the_endpoints_limit_answered_unread_closes_the_connection()
    {
        using var client = new HttpClient { BaseAddress = Platform.TokenServiceAddress };
        using var content = new StringContent(new string('a', 40_000), Encoding.ASCII, "text/plain");

        using var response = await client.PostAsync("/connect/token", content);

        Assert.That((response.StatusCode, response.Headers.ConnectionClose), Is.EqualTo((HttpStatusCode.BadRequest, (bool?)true)));
    }

    [Test]
    public async Task Requests_after_an_unread_oversized_body_never_get_a_bad_gateway()
    {
        var oversized = Encoding.ASCII.GetBytes(
            $"POST /connect/token HTTP/1.1\r\nHost: {Platform.GatewayAddress.Authority}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 40000\r\n\r\n{new string('a', 40_000)}");
        var bodyless = Encoding.ASCII.GetBytes(
            $"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: {Platform.GatewayAddress.Authority}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        var answers = new ConcurrentBag<int?>();

        await Parallel.ForAsync(0, Pairs, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (_, _) =>
        {
            answers.Add(await RawHttp.SendAsync(Platform.GatewayAddress, oversized, RequestTimeout));
            answers.Add(await RawHttp.SendAsync(Platform.GatewayAddress, bodyless, RequestTimeout));
        });

        var counts = answers.GroupBy(a => a?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none").ToDictionary(g => g.Key, g => g.Count());
        TestContext.Out.WriteLine($"connection reuse: {Pairs} oversized + {Pairs} bodyless requests through the gateway; answers {string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}"))}");
        Assert.That(counts, Is.EquivalentTo(new Dictionary<string, int> { ["400"] = Pairs, ["200"] = Pairs }));
    }
}
