using System.Net;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>Small limits (a window of a minute, so none replenishes during a test), one gateway on a real port per test.</summary>
[TestFixture]
public sealed class RateLimitTests : GatewayPerTestBase
{
    private const int PerSubject = 3;
    private const int PerAddress = 6;
    private const int TokenEndpoint = 2;

    [SetUp]
    public void StartGateway() => Rig.StartGateway(new Dictionary<string, string>
    {
        ["Gateway:RateLimits:PerSubject:PermitLimit"] = $"{PerSubject}",
        ["Gateway:RateLimits:PerAddress:PermitLimit"] = $"{PerAddress}",
        ["Gateway:RateLimits:TokenEndpoint:PermitLimit"] = $"{TokenEndpoint}",
    }, onKestrel: true);

    [Test]
    public async Task A_subject_over_its_limit_gets_429_problem_details_with_Retry_After()
    {
        var token = Rig.Key.CreateToken(OrdersReader);
        await SendTimesAsync(PerSubject, () => GetOrdersAsync(token));

        using var response = await GetOrdersAsync(token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Rejections_are_counted_on_the_metrics_endpoint()
    {
        var token = Rig.Key.CreateToken(OrdersReader);
        await SendTimesAsync(PerSubject, () => GetOrdersAsync(token));
        using (await GetOrdersAsync(token))
        {
            // Rejected.
        }

        var metrics = await Rig.Client.GetStringAsync("/metrics");

        Assert.That(metrics, Does.Match("aspnetcore_rate_limiting_requests_total\\{[^}]*aspnetcore_rate_limiting_result=\"global_limiter\"[^}]*\\} 1"));
    }

    [Test]
    public async Task The_limit_is_per_subject_not_per_token_or_address()
    {
        await SendTimesAsync(PerSubject, () => GetOrdersAsync(Rig.Key.CreateToken(OrdersReader)));

        using var sameUserNewToken = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));
        using var otherUser = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader with { Subject = "user-2" }));

        Assert.That(sameUserNewToken.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(otherUser.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Anonymous_requests_are_limited_per_client_address()
    {
        await SendTimesAsync(PerAddress, () => Rig.SendAsync(HttpMethod.Get, "/.well-known/openid-configuration", token: null));

        using var response = await Rig.SendAsync(HttpMethod.Get, "/.well-known/jwks.json", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Requests_with_refused_tokens_count_against_the_address_limit()
    {
        using var stranger = new TestSigningKey();
        await SendTimesAsync(PerAddress, () => GetOrdersAsync(stranger.CreateToken(OrdersReader)));

        using var response = await GetOrdersAsync(stranger.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task The_token_endpoint_has_the_tightest_limit()
    {
        await SendTimesAsync(TokenEndpoint, PostTokenRequestAsync);

        using var tokenRequest = await PostTokenRequestAsync();
        using var discovery = await Rig.SendAsync(HttpMethod.Get, "/.well-known/openid-configuration", token: null);

        Assert.That(tokenRequest.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(tokenRequest.Headers.RetryAfter?.Delta, Is.Not.Null);
        Assert.That(discovery.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<HttpResponseMessage> PostTokenRequestAsync()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password" });
        return await Rig.Client.PostAsync("/connect/token", form);
    }

    /// <summary>Uses up a limit, each request still admitted.</summary>
    private static async Task SendTimesAsync(int times, Func<Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await send();
            Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.TooManyRequests), $"request {i + 1} of {times}");
        }
    }
}
