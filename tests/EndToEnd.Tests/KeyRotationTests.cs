using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using ServiceDefaults.TokenVerification;

namespace EndToEnd.Tests;

/// <summary>
/// A signing-key rotation while traffic flows. The gateway and services run before the rotation and learn the
/// successor through their scheduled key-set refresh (every 2 s here) while it is pending (6 s here; in production
/// 10 minutes and 2 hours); apps keep signing in, refreshing and calling orders and inventory through the gateway
/// across the switch, and no request fails.
/// </summary>
[TestFixture]
public sealed class KeyRotationTests : PlatformFixture
{
    private static readonly TimeSpan ActivationDelay = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan AfterActivation = TimeSpan.FromSeconds(3);
    private static readonly string[] Validators = ["gateway", "orders", "inventory"];
    private const int Apps = 4;

    protected override IReadOnlyDictionary<string, string> TokenServiceSettings => new Dictionary<string, string>
    {
        ["SigningKeys:ActivationDelay"] = ActivationDelay.ToString(),
        ["SigningKeys:ReloadInterval"] = "00:00:01",
    };

    protected override IReadOnlyDictionary<string, string> ValidatorSettings => new Dictionary<string, string>
    {
        ["TokenVerification:KeyRefreshInterval"] = "00:00:02",
        ["TokenVerification:MinimumKeyRefreshInterval"] = "00:00:01",
    };

    [Test]
    public async Task A_rotation_while_apps_sign_in_refresh_and_call_the_services_fails_no_request_and_no_validator_meets_the_new_kid_unknown()
    {
        var unknownKeyIds = Validators.ToDictionary(name => name, name => Platform.Collect<long>(name, TokenVerificationMetrics.UnknownKeyIdsInstrument));
        var fetches = Validators.ToDictionary(name => name, name => Platform.Collect<long>(name, TokenVerificationMetrics.FetchesInstrument));
        var traffic = new Traffic();
        using var stop = new CancellationTokenSource();
        var apps = Enumerable.Range(0, Apps).Select(_ => Task.Run(() => traffic.RunAppAsync(Platform.GatewayAddress, stop.Token))).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(1));
        var successor = await RotateAsync();
        await Task.Delay(successor.ActivatesAt - TimeProvider.System.GetUtcNow() + AfterActivation);
        await stop.CancelAsync();
        await Task.WhenAll(apps);

        var unknownKidEvents = Validators.ToDictionary(name => name, name => unknownKeyIds[name].GetMeasurementSnapshot().Count);
        var fetchCount = Validators.ToDictionary(name => name, name => fetches[name].GetMeasurementSnapshot().Count);
        foreach (var collector in unknownKeyIds.Values.Concat(fetches.Values))
        {
            collector.Dispose();
        }

        var servedWithSuccessor = traffic.Served.Count(kid => kid == successor.KeyId);
        TestContext.Out.WriteLine(
            $"key rotation under traffic ({Apps} apps): {traffic.Requests} requests, {traffic.Failures.Count} failed, " +
            $"{servedWithSuccessor} served with the successor's tokens, which signs from {successor.ActivatesAt:HH:mm:ss.fff}; key-set fetches: " +
            string.Join(", ", Validators.Select(name => $"{name} {fetchCount[name]}")) +
            "; unknown-kid events: " + string.Join(", ", Validators.Select(name => $"{name} {unknownKidEvents[name]}")));
        Assert.Multiple(() =>
        {
            Assert.That(traffic.Failures, Is.Empty);
            Assert.That(servedWithSuccessor, Is.GreaterThan(0), "tokens signed by the new key were served");
            Assert.That(traffic.Served.Distinct().Count(), Is.EqualTo(2), "tokens of both keys were served");
            foreach (var name in Validators)
            {
                // A validator that met the successor's kid before fetching it would have counted it here.
                Assert.That(unknownKidEvents[name], Is.Zero, $"{name} met an unknown kid");
                Assert.That(fetchCount[name], Is.GreaterThanOrEqualTo(2), $"{name} refreshed on schedule");
            }
        });
    }

    private async Task<KeyAdministration> RotateAsync()
    {
        var admin = await App.SignInAsync("admin", Platform.AdminPassword);
        using var http = new HttpClient { BaseAddress = Platform.TokenServiceAddress };
        using var rotate = new HttpRequestMessage(HttpMethod.Post, "/admin/keys/rotate");
        rotate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var rotated = await http.SendAsync(rotate);
        rotated.EnsureSuccessStatusCode();
        return (await rotated.Content.ReadFromJsonAsync<KeyAdministration>())!;
    }

    private sealed record KeyAdministration(string KeyId, DateTimeOffset ActivatesAt);

    /// <summary>Apps that sign in once, then call orders and inventory and refresh their token every few calls, counting what happens.</summary>
    private sealed class Traffic
    {
        private const int CallsPerRefresh = 5;
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public ConcurrentQueue<string> Failures { get; } = new();

        /// <summary>When a failure happened, to set against the successor's activation (UTC, to the millisecond).</summary>
        private static string Now => TimeProvider.System.GetUtcNow().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The kid of the token of every request the services answered with 200.</summary>
        public ConcurrentQueue<string> Served { get; } = new();

        public async Task RunAppAsync(Uri gateway, CancellationToken stop)
        {
            using var app = new MobileApp(gateway);
            if (await TokenCallAsync(() => app.SignInWithRefreshAsync("alice", Platform.UserPassword)) is not { } signedIn)
            {
                return;
            }

            var (access, refresh) = signedIn;
            for (var call = 1; !stop.IsCancellationRequested; call++)
            {
                foreach (var path in new[] { "/api/orders", "/api/inventory/items" })
                {
                    Interlocked.Increment(ref _requests);
                    using var response = await app.SendAsync(HttpMethod.Get, path, access);
                    var kid = new JsonWebToken(access).Kid;
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Served.Enqueue(kid);
                    }
                    else
                    {
                        Failures.Enqueue($"{path} with kid {kid}: {(int)response.StatusCode} at {Now}");
                    }
                }

                if (call % CallsPerRefresh == 0)
                {
                    if (await TokenCallAsync(() => app.RefreshAsync(refresh)) is not { } renewed)
                    {
                        return;
                    }

                    (access, refresh) = renewed;
                }
            }
        }

        /// <summary>
        /// A sign-in or refresh, counted; one that fails is recorded and answers null, and the app stops on it (it has no
        /// token), so the test still reports what every app saw.
        /// </summary>
        private async Task<(string Access, string Refresh)?> TokenCallAsync(Func<Task<(string Access, string Refresh)>> call)
        {
            Interlocked.Increment(ref _requests);
            try
            {
                return await call();
            }
            catch (HttpRequestException exception)
            {
                Failures.Enqueue($"token endpoint: {exception.Message} at {Now}");
                return null;
            }
        }
    }
}
