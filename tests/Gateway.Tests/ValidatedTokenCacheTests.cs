using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using ServiceDefaults.TokenVerification;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// The gateway remembers tokens it has validated (<c>TokenVerification:ValidatedTokenCacheSize</c>), and a remembered
/// token must still pass every check that can change between two requests: its lifetime, its key still being in the
/// key set, the route policy, and being exactly the token that was validated. A token is remembered the second time it
/// is validated.
/// </summary>
[TestFixture]
public sealed class ValidatedTokenCacheTests : GatewayPerTestBase
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static IEnumerable<TestCaseData> ClocksOutsideTheTokensLifetime()
    {
        yield return new TestCaseData(TimeSpan.FromMinutes(5) + ClockSkew + TimeSpan.FromSeconds(1)).SetName("{m}(past exp + skew)");
        // A minute clear of nbf − skew: nbf is whole seconds (up to one before the issue time read here), so a margin of
        // one second could land inside the skew.
        yield return new TestCaseData(-(ClockSkew + TimeSpan.FromMinutes(1))).SetName("{m}(before nbf - skew)");
    }

    /// <summary>
    /// The first request is validated in full (against the real clock, where the token is current) and remembered;
    /// the second is a cache hit, judged against the gateway's clock, which reads <paramref name="sinceIssue"/>
    /// after the token's issue time.
    /// </summary>
    [TestCaseSource(nameof(ClocksOutsideTheTokensLifetime))]
    public async Task A_cached_token_is_refused_once_the_clock_is_outside_its_lifetime(TimeSpan sinceIssue)
    {
        var token = Rig.Key.CreateToken(OrdersReader with { Lifetime = TimeSpan.FromMinutes(5) });
        var issued = TimeProvider.System.GetUtcNow();
        Rig.StartGateway(services: services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(issued + sinceIssue)));
        await WaitUntilReadyAsync(); // the key set read at start, so the token is remembered with the set it keeps
        await RememberAsync(token);

        await ExpectAsync(token, HttpStatusCode.Unauthorized);
    }

    /// <summary>With the cache off this is about the key-set client: no "last known good" key set brings the key back.</summary>
    [TestCase("10000")]
    [TestCase("0")]
    public async Task A_token_that_validated_is_refused_once_its_key_has_left_the_key_set(string cacheSize)
    {
        Rig.StartGateway(new Dictionary<string, string>
        {
            ["TokenVerification:MinimumKeyRefreshInterval"] = "00:00:01",
            ["TokenVerification:ValidatedTokenCacheSize"] = cacheSize,
        });
        await WaitUntilReadyAsync();
        var token = Rig.Key.CreateToken(OrdersReader);
        await RememberAsync(token);
        using var next = new TestSigningKey();
        Rig.Authority.Publish(next);
        Rig.Authority.Withdraw(Rig.Key);

        // The new key's kid asks for a refresh; once it validates, the gateway holds the new key set.
        var nextToken = next.CreateToken(OrdersReader);
        await WaitUntilAsync(async () =>
        {
            using var response = await GetOrdersAsync(nextToken);
            return response.StatusCode == HttpStatusCode.OK;
        });

        await ExpectAsync(token, HttpStatusCode.Unauthorized);
    }

    public static IEnumerable<TestCaseData> Tamperings()
    {
        yield return new TestCaseData((Func<string, string>)(token => Flip(token, token.LastIndexOf('.') + 20))).SetName("{m}(signature)");
        yield return new TestCaseData((Func<string, string>)(token => Flip(token, token.IndexOf('.', StringComparison.Ordinal) + 20))).SetName("{m}(payload)");
        yield return new TestCaseData((Func<string, string>)(token => Flip(token, 5))).SetName("{m}(header)");
        yield return new TestCaseData((Func<string, string>)(token => token + "A")).SetName("{m}(appended)");
        yield return new TestCaseData((Func<string, string>)(token => token[..token.LastIndexOf('.')] + ".")).SetName("{m}(signature stripped)");
    }

    [TestCaseSource(nameof(Tamperings))]
    public async Task A_tampered_copy_of_a_cached_token_is_refused(Func<string, string> tamper)
    {
        Rig.StartGateway();
        var token = Rig.Key.CreateToken(OrdersReader);
        await RememberAsync(token);

        await ExpectAsync(tamper(token), HttpStatusCode.Unauthorized);
        await ExpectAsync(token, HttpStatusCode.OK);
    }

    [Test]
    public async Task The_route_policy_is_judged_again_for_a_cached_token()
    {
        Rig.StartGateway();
        var token = Rig.Key.CreateToken(OrdersReader);
        await RememberAsync(token);

        using var write = await Rig.SendAsync(HttpMethod.Post, "/api/orders", token);
        await ExpectAsync(token, HttpStatusCode.OK);

        Assert.That(write.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task The_cache_holds_at_most_its_configured_number_of_tokens_and_every_token_is_still_served()
    {
        Rig.StartGateway(new Dictionary<string, string> { ["TokenVerification:ValidatedTokenCacheSize"] = "3" });
        using var entries = Rig.Collect<int>(TokenVerificationMetrics.CachedTokensInstrument);
        var held = new List<int>();

        for (var i = 0; i < 10; i++)
        {
            await RememberAsync(Rig.Key.CreateToken(OrdersReader));
            entries.RecordObservableInstruments();
            held.Add(entries.LastMeasurement!.Value);
        }

        Assert.That(held, Is.All.InRange(1, 3));
        Assert.That(held[..3], Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task A_token_validated_once_is_not_remembered()
    {
        Rig.StartGateway();
        using var entries = Rig.Collect<int>(TokenVerificationMetrics.CachedTokensInstrument);

        for (var i = 0; i < 5; i++)
        {
            await ExpectAsync(Rig.Key.CreateToken(OrdersReader), HttpStatusCode.OK);
        }

        entries.RecordObservableInstruments();
        Assert.That(entries.LastMeasurement!.Value, Is.Zero);
    }

    /// <summary>JwtBearer refuses such a token after validation; a remembered token skips that step, so it must never be remembered.</summary>
    [Test]
    public async Task A_token_with_a_key_referencing_header_is_refused_every_time_it_is_presented()
    {
        Rig.StartGateway();
        var token = Rig.Key.CreateToken(OrdersReader, descriptor =>
            descriptor.AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = "https://evil.test/jwks.json" });

        for (var i = 0; i < 4; i++)
        {
            await ExpectAsync(token, HttpStatusCode.Unauthorized);
        }
    }

    [Test]
    public async Task With_the_cache_turned_off_tokens_are_still_verified()
    {
        Rig.StartGateway(new Dictionary<string, string> { ["TokenVerification:ValidatedTokenCacheSize"] = "0" });
        var token = Rig.Key.CreateToken(OrdersReader);

        await ExpectAsync(token, HttpStatusCode.OK);
        await ExpectAsync(token, HttpStatusCode.OK);
        await ExpectAsync(Flip(token, token.LastIndexOf('.') + 20), HttpStatusCode.Unauthorized);
    }

    /// <summary>Two accepted requests: the second validation puts the token in the cache.</summary>
    private async Task RememberAsync(string token)
    {
        await ExpectAsync(token, HttpStatusCode.OK);
        await ExpectAsync(token, HttpStatusCode.OK);
    }

    private async Task ExpectAsync(string token, HttpStatusCode expected)
    {
        using var response = await GetOrdersAsync(token);
        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    /// <summary>The token with one base64url character replaced by another.</summary>
    private static string Flip(string token, int index) =>
        string.Concat(token.AsSpan(0, index), token[index] == 'A' ? "B" : "A", token.AsSpan(index + 1));
}
