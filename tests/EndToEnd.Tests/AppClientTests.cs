using System.Net;
using NUnit.Framework;
using TokenClients.AppTokens;

namespace EndToEnd.Tests;

/// <summary>
/// The client library as a mobile app uses it, through the gateway, across several short access-token lifetimes:
/// parallel calls never fail, refreshes happen once per lifetime, sign-out ends the session.
/// </summary>
[TestFixture]
public sealed class AppClientTests : PlatformFixture
{
    private static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromSeconds(4);

    protected override IReadOnlyDictionary<string, string> TokenServiceSettings => new Dictionary<string, string>
    {
        ["Tokens:AccessTokenLifetime"] = AccessTokenLifetime.ToString(),
    };

    [Test]
    public async Task Parallel_calls_across_several_token_lifetimes_all_succeed_with_one_refresh_per_lifetime()
    {
        using var tokenHttp = new HttpClient();
        using var session = new AppTokenClient(tokenHttp, new AppTokenOptions
        {
            Authority = Platform.GatewayAddress, ClientId = "mobile-app", AllowInsecureHttp = true,
        }, new InMemoryTokenStore(), TimeProvider.System);
        var refreshes = 0;
        session.Refreshed += (_, _) => Interlocked.Increment(ref refreshes);
        await session.SignInAsync("alice", Platform.UserPassword, CancellationToken.None);
        using var api = new HttpClient(new AppTokenHandler(session) { InnerHandler = new HttpClientHandler() }) { BaseAddress = Platform.GatewayAddress };

        var duration = AccessTokenLifetime * 3;
        var deadline = TimeProvider.System.GetUtcNow() + duration;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(async caller =>
        {
            var (requests, failures) = (0, 0);
            while (TimeProvider.System.GetUtcNow() < deadline)
            {
                using var response = await api.GetAsync(caller % 2 == 0 ? "/api/orders" : "/api/inventory/items");
                requests++;
                failures += response.StatusCode == HttpStatusCode.OK ? 0 : 1;
                await Task.Delay(50);
            }

            return (requests, failures);
        }));
        var signedOut = await session.SignOutAsync(CancellationToken.None);

        TestContext.Out.WriteLine($"app client: {outcomes.Sum(o => o.requests)} requests, {outcomes.Sum(o => o.failures)} failed, {refreshes} refreshes in {duration.TotalSeconds} s");
        Assert.Multiple(() =>
        {
            Assert.That(outcomes.Sum(o => o.failures), Is.Zero);
            Assert.That(refreshes, Is.InRange(2, 8), "about one refresh per half lifetime, not one per request");
            Assert.That(signedOut, Is.True);
        });
    }
}
