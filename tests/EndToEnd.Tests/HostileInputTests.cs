using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using EndToEnd.Tests.Hostile;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using TokenService.Tokens;
using Yarp.ReverseProxy.Configuration;

namespace EndToEnd.Tests;

/// <summary>
/// Issue 9, scenario 7: thousands of malformed requests (see <see cref="HostileRequestGenerator"/>) against every
/// route of every process, straight to each process and through the gateway. <c>FUZZ_REQUESTS</c> sets how many
/// (default 2,000), <c>FUZZ_SEED</c> replays a run (the seed is printed).
/// </summary>
[TestFixture]
public sealed class HostileInputTests : PlatformFixture
{
    private const int DefaultRequests = 2_000;
    private const int Parallelism = 8;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Managed memory the run may leave behind after a full collection.</summary>
    private const long AllowedHeapGrowth = 64L * 1024 * 1024;

    private readonly ConcurrentBag<(HostileRequest Request, int? Status, string? Error)> _outcomes = [];
    private IReadOnlyList<PlatformEndpoint> _endpoints = [];
    private Dictionary<string, List<string>> _stateBefore = [];
    private Dictionary<string, List<string>> _stateAfter = [];
    private (string Orders, string Stock) _servicesBefore;
    private (string Orders, string Stock) _servicesAfter;
    private (long Heap, long WorkingSet) _memoryBefore;
    private (long Heap, long WorkingSet) _memoryAfter;
    private string _admin = "";
    private ulong _seed;
    private TimeSpan _elapsed;

    [OneTimeSetUp]
    public async Task RunTheFuzzer()
    {
        var alice = await App.SignInAsync("alice", Platform.UserPassword);
        _admin = await App.SignInAsync("admin", Platform.AdminPassword);
        var reporting = await App.ServiceTokenAsync("reporting-service", Platform.ReportingServiceSecret);
        using (await App.SendAsync(HttpMethod.Post, "/api/orders", alice, new { sku = "SKU-1001", quantity = 1 }))
        {
            // One order, so the orders snapshot is not trivially empty.
        }

        _endpoints = Platform.Endpoints();
        var seed = FuzzRandom.Seed(Environment.GetEnvironmentVariable("FUZZ_SEED"));
        var count = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_REQUESTS"), out var configured) ? configured : DefaultRequests;
        var generator = new HostileRequestGenerator(new FuzzRandom(seed), _endpoints, [alice, _admin, reporting]);

        _stateBefore = await BusinessState.ReadAsync(Platform.DatabaseConnectionString);
        _servicesBefore = await ServiceStateAsync();
        _memoryBefore = Memory();

        var clock = Stopwatch.StartNew();
        var next = 0;
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                HostileRequest request;
                byte[] bytes;
                lock (gate)
                {
                    if (next++ >= count)
                    {
                        return;
                    }

                    (request, bytes) = generator.Next();
                }

                try
                {
                    _outcomes.Add((request, await RawHttp.SendAsync(request.Route.Address, bytes, RequestTimeout), null));
                }
                catch (Exception exception) when (exception is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
                {
                    _outcomes.Add((request, null, exception.GetType().Name));
                }
            }
        })));
        clock.Stop();

        _memoryAfter = Memory();
        _stateAfter = await BusinessState.ReadAsync(Platform.DatabaseConnectionString);
        _servicesAfter = await ServiceStateAsync();

        _elapsed = clock.Elapsed;
        _seed = seed;
    }

    [Test]
    public void Every_route_of_every_process_was_attacked()
    {
        var attacked = _outcomes.Select(o => o.Request.Route).ToHashSet();
        TestContext.Out.WriteLine($"hostile input: {_endpoints.Count} routes; per process {string.Join(", ", _outcomes.GroupBy(o => o.Request.Route.Process).Select(g => $"{g.Key} {g.Count()}"))}");

        Assert.That(_endpoints.Where(e => !attacked.Contains(e)).Select(e => $"{e.Process} {e.Pattern}"), Is.Empty);
    }

    [Test]
    public void No_malformed_request_gets_a_server_error()
    {
        var serverErrors = _outcomes.Where(o => o.Status >= 500).Select(o => $"{o.Status} {o.Request.Method} {o.Request.Route.Process}{o.Request.Target} [{o.Request.Shape}]").ToList();
        var answers = _outcomes.GroupBy(o => o.Status?.ToString(CultureInfo.InvariantCulture) ?? o.Error ?? "closed").OrderBy(g => g.Key, StringComparer.Ordinal);
        TestContext.Out.WriteLine($"hostile input: seed {_seed} (replay with FUZZ_SEED={_seed}); {_outcomes.Count} requests in {_elapsed.TotalSeconds:F1} s; answers {string.Join(", ", answers.Select(g => $"{g.Key}: {g.Count()}"))}");

        Assert.That(serverErrors, Is.Empty);
    }

    [Test]
    public void Every_malformed_request_gets_an_answer()
    {
        var unanswered = _outcomes.Where(o => o.Status is null).Select(o => $"{o.Error ?? "closed"} {o.Request.Method} {o.Request.Route.Process}{o.Request.Target} [{o.Request.Shape}]");

        Assert.That(unanswered, Is.Empty);
    }

    [Test]
    public void No_rejected_request_changes_the_token_services_store()
    {
        TestContext.Out.WriteLine($"hostile input: compared {_stateBefore.Sum(t => t.Value.Count)} rows of {_stateBefore.Count} tables before and after");
        Assert.Multiple(() =>
        {
            foreach (var (table, rows) in _stateBefore)
            {
                Assert.That(_stateAfter[table], Is.EqualTo(rows), table);
            }
        });
    }

    [Test]
    public void No_rejected_request_changes_orders_or_stock()
    {
        Assert.That(_servicesAfter, Is.EqualTo(_servicesBefore));
    }

    [Test]
    public async Task Every_process_is_still_live_ready_and_serving()
    {
        foreach (var address in new[] { Platform.TokenServiceAddress, Platform.InventoryAddress, Platform.OrdersAddress, Platform.GatewayAddress })
        {
            using var client = new HttpClient { BaseAddress = address };
            using var live = await client.GetAsync("/health/live");
            using var ready = await client.GetAsync("/health/ready");
            Assert.That((live.StatusCode, ready.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)), address.ToString());
        }

        var fresh = await App.SignInAsync("admin", Platform.AdminPassword);
        using var orders = await App.SendAsync(HttpMethod.Get, "/api/orders", fresh);
        Assert.That(orders.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCaseSource(nameof(UndecodableBodies))]
    public async Task A_body_in_a_charset_nothing_can_decode_is_an_unsupported_media_type(string process, string method, string path, string charset)
    {
        var address = process == "gateway" ? Platform.GatewayAddress : process == "orders" ? Platform.OrdersAddress : Platform.InventoryAddress;

        using var response = await SendJsonAsync(address, new HttpMethod(method), path, "{\"sku\":\"SKU-1001\",\"quantity\":1,\"available\":7}"u8.ToArray(), $"application/json; charset={charset}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }

    [Test]
    public async Task A_body_in_a_decodable_charset_other_than_utf8_is_still_read()
    {
        using var response = await SendJsonAsync(Platform.InventoryAddress, HttpMethod.Put, "/inventory/items/SKU-1002/stock", Encoding.Unicode.GetBytes("{\"available\":7}"), "application/json; charset=utf-16");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void The_gateway_lets_no_bigger_body_through_to_the_token_services_form_endpoints_than_they_accept()
    {
        var limits = Platform.Services("gateway").GetRequiredService<IProxyConfigProvider>().GetConfig().Routes
            .Where(route => route.Match.Path is "/connect/token" or "/connect/revoke").Select(route => route.MaxRequestBodySize).ToList();

        Assert.That(limits, Has.Count.EqualTo(2).And.All.LessThanOrEqualTo(TokenRequest.MaximumRequestBytes));
    }

    private static IEnumerable<TestCaseData> UndecodableBodies() =>
        from target in new[] { ("orders", "POST", "/orders"), ("inventory", "PUT", "/inventory/items/SKU-1001/stock"), ("gateway", "POST", "/api/orders") }
        from charset in new[] { "utf-7", "no-such-charset" }
        select new TestCaseData(target.Item1, target.Item2, target.Item3, charset).SetArgDisplayNames($"{target.Item2} {target.Item1}{target.Item3}", charset);

    /// <summary>Sends a body under any content type, with the admin's token (it may write stock and place orders).</summary>
    private async Task<HttpResponseMessage> SendJsonAsync(Uri address, HttpMethod method, string path, byte[] body, string contentType)
    {
        using var client = new HttpClient { BaseAddress = address };
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Authorization = new("Bearer", _admin);
        return await client.SendAsync(request);
    }

    [Test]
    public void Memory_stays_bounded()
    {
        TestContext.Out.WriteLine($"hostile input: managed heap after a full collection {_memoryBefore.Heap / 1048576} → {_memoryAfter.Heap / 1048576} MiB, working set {_memoryBefore.WorkingSet / 1048576} → {_memoryAfter.WorkingSet / 1048576} MiB (the four processes and the test share one OS process)");
        Assert.That(_memoryAfter.Heap - _memoryBefore.Heap, Is.LessThan(AllowedHeapGrowth));
    }

    private async Task<(string Orders, string Stock)> ServiceStateAsync()
    {
        using var orders = await App.SendAsync(HttpMethod.Get, "/api/orders", _admin);
        using var stock = await App.SendAsync(HttpMethod.Get, "/api/inventory/items", _admin);
        orders.EnsureSuccessStatusCode();
        stock.EnsureSuccessStatusCode();
        return (await orders.Content.ReadAsStringAsync(), await stock.Content.ReadAsStringAsync());
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }
}
