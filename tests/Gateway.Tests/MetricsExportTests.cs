using NUnit.Framework;

namespace Gateway.Tests;

/// <summary>
/// What <c>/metrics</c> leaves out. A fixture (and gateway) of its own: the Prometheus exporter answers scrapes from a
/// cache for a moment, so a scrape here must not be the one another test's scrape is answered with.
/// </summary>
[TestFixture]
public sealed class MetricsExportTests : GatewayTestBase
{
    [TestCase("http_server_active_requests")]
    [TestCase("http_client_open_connections")]
    [TestCase("http_client_request_time_in_queue")]
    [TestCase("aspnetcore_rate_limiting_request_lease_duration")]
    [TestCase("aspnetcore_routing_match_attempts")]
    [TestCase("aspnetcore_memory_pool_rented")]
    public async Task A_per_request_instrument_whose_numbers_the_kept_ones_give_is_not_exported(string metric)
    {
        using (await GetAsync("/api/orders", Key.CreateToken(OrdersReader)))
        {
            // One request through to the service, so every per-request instrument has been recorded if it is kept.
        }

        using var response = await GetAsync("/metrics", token: null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(body, Does.Contain("http_server_request_duration_seconds").And.Contain("http_client_request_duration_seconds"));
        Assert.That(body, Does.Not.Contain(metric));
    }
}
