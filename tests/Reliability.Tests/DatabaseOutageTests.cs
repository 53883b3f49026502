using System.Diagnostics;
using System.Net;
using NUnit.Framework;

namespace Reliability.Tests;

/// <summary>
/// Scenario 1: PostgreSQL stops while traffic flows. Holders of valid access tokens never notice (gateway and
/// services never needed the database, and orders keeps calling inventory with the service token it holds); sign-in and
/// refresh answer 503 with Retry-After at once, never a token, and so does client_credentials once the client's record
/// is older than <c>Clients:CacheLifetime</c> (before that a token service may still authenticate the client from the
/// record it read before the outage, and issue its token); the token services report not-ready but stay live; when
/// PostgreSQL returns everything recovers without a restart, and no refresh token was lost or duplicated.
/// </summary>
[TestFixture]
public sealed class DatabaseOutageTests : ScenarioBase
{
    /// <summary>Longest a token request may take during the outage: the connect timeout (3 s) plus slack for a busy machine.</summary>
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(10);

    /// <summary>The token services' default <c>Clients:CacheLifetime</c>: no client record read before the outage is used after it.</summary>
    private static readonly TimeSpan ClientCacheLifetime = TimeSpan.FromSeconds(5);

    /// <summary>One unit each, well within the demo stock of the item (40), so stock never runs out.</summary>
    private const int OrdersDuringOutage = 20;

    private const string OrderedSku = "SKU-1003";

    [Test]
    public async Task A_database_outage_is_invisible_to_token_holders_answers_token_requests_503_and_heals_by_itself()
    {
        var devices = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Client.SignInAsync()));
        await using var load = ApiLoad.Start(Client, [.. devices.Select(d => d.Access)]);
        await load.WhileRunningAsync(50);
        using (var first = await Client.PlaceOrderAsync(OrderedSku, devices[0].Access))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), "an order before the outage");
        }

        await Cluster.StopPostgresAsync();
        var outage = Stopwatch.StartNew();
        var tokenRequests = new Outcomes();
        var (clientTokensCached, clientTokens) = (new Outcomes(), new Outcomes());
        var orders = new Outcomes();
        var issued = 0;
        var withoutRetryAfter = 0;
        while (outage.Elapsed < Soak.Phase(TimeSpan.FromSeconds(8)))
        {
            foreach (var send in TokenRequests(devices[0]))
            {
                using var response = await tokenRequests.MeasureAsync(send);
                issued += response?.StatusCode == HttpStatusCode.OK ? 1 : 0;
                withoutRetryAfter += WithoutRetryAfter(response);
            }

            using (var clientToken = await (outage.Elapsed < ClientCacheLifetime ? clientTokensCached : clientTokens).MeasureAsync(Client.ClientCredentialsAsync))
            {
                withoutRetryAfter += WithoutRetryAfter(clientToken);
            }

            if (orders.Requests < OrdersDuringOutage)
            {
                using var placed = await orders.MeasureAsync(() => Client.PlaceOrderAsync(OrderedSku, devices[1].Access));
            }
        }

        var readiness = await ProbeAsync("/health/ready");
        var liveness = await ProbeAsync("/health/live");
        var duringOutage = load.Outcomes.ToString();

        await Cluster.ResumePostgresAsync();
        var recovery = Stopwatch.StartNew();
        var recovered = await Task.WhenAll(devices.Select(RefreshUntilAnsweredAsync));
        var tokensBack = recovery.Elapsed;
        await Task.WhenAll(Cluster.TokenServices.Select(service => service.WaitUntilReadyAsync()));
        var readyBack = recovery.Elapsed;
        var api = await load.StopAsync();
        var ledger = await RefreshLedger.ReadAsync(Cluster.ConnectionString, devices.Select(d => d.SessionId));

        Report($"database outage: {outage.Elapsed.TotalSeconds:F1} s; API traffic through it: {api}");
        Report($"  API traffic up to the end of the outage: {duringOutage}");
        Report($"  orders placed during the outage (orders reserving at inventory with its own service token): {orders}");
        Report($"  sign-ins and refreshes during the outage: {tokenRequests}");
        Report($"  client_credentials in the outage's first {ClientCacheLifetime.TotalSeconds:F0} s: {clientTokensCached}; afterwards: {clientTokens}");
        Report($"  readiness during the outage: {string.Join(", ", readiness)}; liveness: {string.Join(", ", liveness)}");
        Report($"  after PostgreSQL returned: refresh answered in {tokensBack.TotalSeconds:F1} s, every token service ready in {readyBack.TotalSeconds:F1} s");
        Assert.Multiple(() =>
        {
            Assert.That(api.Failures, Is.Zero, "API requests with valid tokens failed");
            Assert.That(orders.Failures, Is.Zero, "orders (a service-to-service call) failed");
            Assert.That(orders.Requests, Is.GreaterThan(0), "no order was placed during the outage");
            Assert.That(issued, Is.Zero, "a token was issued without the database");
            Assert.That(tokenRequests.Count(HttpStatusCode.ServiceUnavailable), Is.EqualTo(tokenRequests.Requests), "token requests not answered 503");
            Assert.That(clientTokens.Requests, Is.GreaterThan(0), "no client_credentials request after the cache lifetime");
            Assert.That(clientTokens.Count(HttpStatusCode.ServiceUnavailable), Is.EqualTo(clientTokens.Requests),
                "client_credentials after the cache lifetime not answered 503");
            Assert.That(clientTokensCached.Count(HttpStatusCode.OK) + clientTokensCached.Count(HttpStatusCode.ServiceUnavailable),
                Is.EqualTo(clientTokensCached.Requests), "client_credentials within the cache lifetime answered neither 200 nor 503");
            Assert.That(withoutRetryAfter, Is.Zero, "503 without Retry-After");
            Assert.That(new[] { tokenRequests.Slowest, clientTokensCached.Slowest, clientTokens.Slowest }, Is.All.LessThan(NoHang), "a token request hung");
            Assert.That(readiness, Is.All.EqualTo(HttpStatusCode.ServiceUnavailable), "readiness during the outage");
            Assert.That(liveness, Is.All.EqualTo(HttpStatusCode.OK), "liveness during the outage");
            Assert.That(recovered, Is.All.Not.Null, "a device's refresh token did not survive the outage");
            Assert.That(devices.Select(d => ledger[d.SessionId]), Is.All.Matches<FamilyState>(f => f.IsConsistent && f.Live == 1 && f.Tokens == 2),
                "each session: the sign-in token consumed once, one live successor");
        });
        for (var i = 0; i < devices.Length; i++)
        {
            Assert.That(ledger[devices[i].SessionId].IsLive(recovered[i]!), Is.True, "the device holds its session's live token");
        }

        var signIn = await Client.SignInAsync();
        using var afterwards = await Client.GetApiAsync(PlatformClient.ApiPaths[0], signIn.Access);
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.OK), "sign-in after recovery");
    }

    private IEnumerable<Func<Task<HttpResponseMessage>>> TokenRequests(TokenPair device) =>
    [
        Client.PasswordGrantAsync,
        () => Client.RefreshAsync(device.Refresh),
    ];

    private static int WithoutRetryAfter(HttpResponseMessage? response) =>
        response?.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null ? 1 : 0;

    private static async Task<HttpStatusCode[]> ProbeAsync(string path)
    {
        using var http = new HttpClient { Timeout = NoHang };
        return await Task.WhenAll(Cluster.TokenServices.Select(async service =>
        {
            using var response = await http.GetAsync(new Uri(service.Address, path));
            return response.StatusCode;
        }));
    }

    /// <summary>Refreshes with the token held since before the outage, retrying 503 as a client would.</summary>
    private async Task<TokenPair?> RefreshUntilAnsweredAsync(TokenPair device)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var response = await Client.RefreshAsync(device.Refresh);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return response.StatusCode == HttpStatusCode.OK ? await PlatformClient.PairAsync(response) : null;
            }

            await Task.Delay(200);
        }

        return null;
    }
}
