using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using NUnit.Framework;
using ServiceDefaults.TokenVerification;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// The scheduled key-set refresh runs on the gateway's <see cref="TimeProvider"/> (here a fake one the test
/// advances) every <c>TokenVerification:KeyRefreshInterval</c>, also while no request arrives.
/// </summary>
[TestFixture]
public sealed class KeySetRefresherTests : GatewayPerTestBase
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>A little more than the one-second MinimumKeyRefreshInterval, which the key set measures on the real clock.</summary>
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(1100);

    /// <summary>Room for a fetch that should not come.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private FakeTimeProvider _clock = null!;

    [Test]
    public async Task An_idle_gateway_fetches_the_key_set_once_at_the_end_of_each_refresh_interval_of_its_clock()
    {
        var fetchesAtStart = await StartIdleGatewayAsync();

        _clock.Advance(RefreshInterval - TimeSpan.FromMilliseconds(1));
        await Task.Delay(Quiet);
        var beforeTheInterval = Rig.Authority.JwksFetches;
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => Rig.Authority.JwksFetches > fetchesAtStart);
        await Task.Delay(MinimumInterval);
        _clock.Advance(RefreshInterval);
        await WaitUntilAsync(() => Rig.Authority.JwksFetches > fetchesAtStart + 1);
        await Task.Delay(Quiet);

        Assert.Multiple(() =>
        {
            Assert.That(beforeTheInterval, Is.EqualTo(fetchesAtStart), "no fetch before the interval has passed");
            Assert.That(Rig.Authority.JwksFetches, Is.EqualTo(fetchesAtStart + 2), "one fetch per interval");
        });
    }

    [Test]
    public async Task A_key_published_while_the_gateway_is_idle_validates_after_one_interval_without_an_unknown_kid_refresh()
    {
        var fetchesAtStart = await StartIdleGatewayAsync();
        using var unknownKeyIds = Rig.Collect<long>(TokenVerificationMetrics.UnknownKeyIdsInstrument);
        using var next = new TestSigningKey();
        Rig.Authority.Publish(next);
        await Task.Delay(MinimumInterval); // else the scheduled request could fall within the minimum interval of the start's fetch

        _clock.Advance(RefreshInterval);
        await WaitUntilAsync(() => Rig.Authority.JwksFetches > fetchesAtStart);
        await WaitUntilAsync(async () => (await KeySetAsync()).SigningKeys.Any(key => key.KeyId == next.KeyId)); // it reaches the verifier after the JWKS answer
        using var response = await GetOrdersAsync(next.CreateToken(OrdersReader));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(unknownKeyIds.GetMeasurementSnapshot(), Is.Empty);
        });
    }

    /// <summary>The key set the gateway's JwtBearer reads for every request.</summary>
    private Task<OpenIdConnectConfiguration> KeySetAsync() =>
        Rig.Gateway.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme)
            .ConfigurationManager!.GetConfigurationAsync(CancellationToken.None);

    /// <returns>The JWKS fetches made until the gateway was ready (the one at start).</returns>
    private async Task<int> StartIdleGatewayAsync()
    {
        _clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        Rig.StartGateway(
            new Dictionary<string, string>
            {
                ["TokenVerification:KeyRefreshInterval"] = RefreshInterval.ToString(),
                ["TokenVerification:MinimumKeyRefreshInterval"] = "00:00:01",
            },
            services: services => services.AddSingleton<TimeProvider>(_clock));
        await WaitUntilReadyAsync();
        return Rig.Authority.JwksFetches;
    }
}
