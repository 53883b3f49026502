using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using ServiceDefaults.TokenVerification;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// How the gateway keeps the token service's key set: one gateway per test, started against a
/// <see cref="FakeAuthority"/> that counts JWKS fetches and whose keys the test publishes, withdraws or takes away.
/// </summary>
[TestFixture]
public sealed class KeySetClientTests : GatewayPerTestBase
{
    /// <summary>A little more than the one-second MinimumKeyRefreshInterval these tests configure.</summary>
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(1100);

    [Test]
    public async Task A_flood_of_unknown_kids_is_refused_with_401_and_causes_at_most_one_key_set_fetch()
    {
        StartGateway(("TokenVerification:MinimumKeyRefreshInterval", "00:01:00"));
        await WaitUntilReadyAsync();
        var fetchesBefore = Rig.Authority.JwksFetches;
        using var stranger = new TestSigningKey();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            using var response = await GetOrdersAsync(TokenWithRandomKid(stranger));
            return response.StatusCode;
        }));
        await Task.Delay(TimeSpan.FromSeconds(1)); // a refresh the flood asked for runs in the background

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(Rig.Authority.JwksFetches - fetchesBefore, Is.LessThanOrEqualTo(1));
    }

    [Test]
    public async Task A_kid_that_a_fetch_did_not_contain_asks_for_no_further_fetch()
    {
        StartGateway(("TokenVerification:MinimumKeyRefreshInterval", "00:00:01"));
        await WaitUntilReadyAsync();
        using var unknownKeyIds = Rig.Collect<long>(TokenVerificationMetrics.UnknownKeyIdsInstrument);
        using var stranger = new TestSigningKey();
        var fetchesAfterFirst = await FetchCausedByAsync(stranger.CreateToken(OrdersReader));
        await Task.Delay(MinimumInterval); // the minimum interval no longer holds anything back

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await GetOrdersAsync(stranger.CreateToken(OrdersReader));
            statuses.Add(response.StatusCode);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(300)); // room for a fetch that should not come
        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(Rig.Authority.JwksFetches, Is.EqualTo(fetchesAfterFirst));
        Assert.That(unknownKeyIds.GetMeasurementSnapshot().Count(m => (string?)m.Tags["outcome"] == "ignored"), Is.EqualTo(5));
        // Another unknown kid still may ask: it was the negative cache, not the interval, that held the first back.
        Assert.That(await FetchCausedByAsync(TokenWithRandomKid(stranger)), Is.EqualTo(fetchesAfterFirst + 1));
    }

    [Test]
    public async Task A_kid_remembered_as_unknown_validates_as_soon_as_a_later_fetch_contains_it()
    {
        StartGateway(("TokenVerification:MinimumKeyRefreshInterval", "00:00:01"));
        await WaitUntilReadyAsync();
        using var next = new TestSigningKey();
        var token = next.CreateToken(OrdersReader);
        await FetchCausedByAsync(token); // before the token service publishes the key
        Rig.Authority.Publish(next);
        await Task.Delay(MinimumInterval);
        using (var stillRemembered = await GetOrdersAsync(token))
        {
            Assert.That(stillRemembered.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var stranger = new TestSigningKey();
        await FetchCausedByAsync(TokenWithRandomKid(stranger)); // as the background refresh would
        using var response = await GetOrdersAsync(token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_kid_remembered_as_unknown_asks_for_a_fetch_again_once_its_retention_ends()
    {
        StartGateway(("TokenVerification:MinimumKeyRefreshInterval", "00:00:01"), ("TokenVerification:UnknownKeyIdRetention", "00:00:01"));
        await WaitUntilReadyAsync();
        using var next = new TestSigningKey();
        var token = next.CreateToken(OrdersReader);
        await FetchCausedByAsync(token);
        Rig.Authority.Publish(next);
        await Task.Delay(MinimumInterval);

        await FetchCausedByAsync(token);
        using var response = await GetOrdersAsync(token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_key_published_after_start_validates_after_one_refresh()
    {
        StartGateway(("TokenVerification:MinimumKeyRefreshInterval", "00:00:01"));
        await WaitUntilReadyAsync();
        var fetchesBefore = Rig.Authority.JwksFetches;
        using var next = new TestSigningKey();
        Rig.Authority.Publish(next);
        var token = next.CreateToken(OrdersReader);

        using (await GetOrdersAsync(token))
        {
            // The unknown kid asks for a refresh.
        }

        await WaitUntilAsync(() => Rig.Authority.JwksFetches > fetchesBefore);
        await WaitUntilInUseAsync(next);
        using var response = await GetOrdersAsync(token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Rig.Authority.JwksFetches, Is.EqualTo(fetchesBefore + 1));
    }

    [Test]
    public async Task A_key_withdrawn_from_the_key_set_is_refused_after_the_next_refresh()
    {
        StartGateway(("TokenVerification:MinimumKeyRefreshInterval", "00:00:01"));
        await WaitUntilReadyAsync();
        var fetchesBefore = Rig.Authority.JwksFetches;
        using var next = new TestSigningKey();
        Rig.Authority.Publish(next);
        Rig.Authority.Withdraw(Rig.Key);

        using (await GetOrdersAsync(next.CreateToken(OrdersReader)))
        {
            // The new key's kid asks for a refresh, which also drops the withdrawn key.
        }

        await WaitUntilAsync(() => Rig.Authority.JwksFetches > fetchesBefore);
        await WaitUntilInUseAsync(next);
        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Tokens_signed_by_known_keys_keep_validating_while_the_token_service_is_down()
    {
        using var fetches = await LoseTheTokenServiceAfterStartAsync();

        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_failed_key_set_fetch_is_counted_with_outcome_failure()
    {
        using var fetches = await LoseTheTokenServiceAfterStartAsync();

        Assert.That(fetches.GetMeasurementSnapshot().Select(m => m.Tags["outcome"]), Is.EqualTo(new[] { "failure" }));
    }

    [Test]
    public async Task The_age_and_size_of_the_last_fetched_key_set_are_reported()
    {
        StartGateway();
        await WaitUntilReadyAsync();
        using var age = Rig.Collect<double>(TokenVerificationMetrics.AgeInstrument);
        using var keys = Rig.Collect<int>(TokenVerificationMetrics.KeysInstrument);

        age.RecordObservableInstruments();
        keys.RecordObservableInstruments();

        Assert.That(age.LastMeasurement?.Value, Is.InRange(0, Patience.TotalSeconds));
        Assert.That(keys.LastMeasurement?.Value, Is.EqualTo(1));
    }

    [Test]
    public async Task Without_a_fallback_key_set_nothing_validates_while_the_token_service_has_never_answered()
    {
        await Rig.Authority.DisposeAsync();
        StartGateway();

        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));
        using var readiness = await Rig.Client.GetAsync("/health/ready");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(readiness.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task With_a_fallback_key_set_the_gateway_serves_while_the_token_service_has_never_answered()
    {
        await Rig.Authority.DisposeAsync();
        StartGateway(("TokenVerification:FallbackJwks", TestSigningKey.ToJwks(Rig.Key)));

        using var response = await GetOrdersAsync(Rig.Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_fallback_key_set_is_not_used_once_the_token_service_has_answered()
    {
        using var fallbackOnly = new TestSigningKey();
        StartGateway(("TokenVerification:FallbackJwks", TestSigningKey.ToJwks(fallbackOnly)));
        await WaitUntilReadyAsync();

        using var response = await GetOrdersAsync(fallbackOnly.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private void StartGateway(params (string Key, string Value)[] settings) =>
        Rig.StartGateway(settings.ToDictionary(s => s.Key, s => s.Value));

    /// <summary>
    /// A gateway that has read the key set, then the token service gone, then a token with an unknown kid, which
    /// makes the gateway try it once. The returned collector saw that fetch.
    /// </summary>
    private async Task<MetricCollector<long>> LoseTheTokenServiceAfterStartAsync()
    {
        StartGateway(("TokenVerification:MinimumKeyRefreshInterval", "00:00:01"));
        await WaitUntilReadyAsync();
        var fetches = Rig.Collect<long>(TokenVerificationMetrics.FetchesInstrument);
        await Rig.Authority.DisposeAsync();
        using var stranger = new TestSigningKey();
        using (await GetOrdersAsync(stranger.CreateToken(OrdersReader)))
        {
        }

        await fetches.WaitForMeasurementsAsync(1, Patience);
        return fetches;
    }

    /// <summary>
    /// Waits until a token of <paramref name="key"/> is accepted: the key set a refresh fetched reaches the verifier a
    /// moment after the JWKS answer that the fetch count shows.
    /// </summary>
    private Task WaitUntilInUseAsync(TestSigningKey key) => WaitUntilAsync(async () =>
    {
        using var response = await GetOrdersAsync(key.CreateToken(OrdersReader));
        return response.IsSuccessStatusCode;
    });

    /// <summary>Sends <paramref name="token"/> (refused) and waits for the key-set fetch it asks for; the fetch count after it.</summary>
    private async Task<int> FetchCausedByAsync(string token)
    {
        var before = Rig.Authority.JwksFetches;
        using (var response = await GetOrdersAsync(token))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await WaitUntilAsync(() => Rig.Authority.JwksFetches > before);
        await Task.Delay(TimeSpan.FromMilliseconds(100)); // the fetched keys reach the verifier after the JWKS answer
        return Rig.Authority.JwksFetches;
    }

    private static string TokenWithRandomKid(TestSigningKey key) => key.CreateToken(OrdersReader, descriptor =>
        descriptor.SigningCredentials = new SigningCredentials(
            new RsaSecurityKey(key.SecurityKey.Rsa) { KeyId = Guid.NewGuid().ToString("N") }, SecurityAlgorithms.RsaSha256));
}
