using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace Gateway.Tests;

/// <summary>
/// A gateway on real ports, its public one from <c>urls</c> and a <c>Management:Port</c>: metrics and health only on
/// the management port, everything else only on the public one.
/// </summary>
[TestFixture]
public sealed class ManagementPortTests : GatewayTestBase
{
    private readonly int _managementPort = FreePort();
    private HttpClient _management = null!;

    protected override bool OnKestrel => true;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["urls"] = "http://127.0.0.1:0",
        ["Management:Port"] = $"{_managementPort}",
    };

    [OneTimeSetUp]
    public void ConnectToManagementPort() => _management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_managementPort}") };

    [OneTimeTearDown]
    public void Disconnect() => _management.Dispose();

    [TestCase("/metrics")]
    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    public async Task The_management_port_serves_metrics_and_health(string path)
    {
        using var response = await _management.GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_management_port_serves_the_gateway_s_own_metrics()
    {
        var metrics = await _management.GetStringAsync("/metrics");

        Assert.That(metrics, Does.Contain("token_verification_key_set_fetches_total"));
    }

    [TestCase("/metrics")]
    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    public async Task The_public_port_does_not_serve_metrics_or_health(string path)
    {
        using var response = await GetAsync(path, token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_public_port_does_not_serve_metrics_to_a_Host_header_naming_the_management_port()
    {
        using var response = await GetAsync("/metrics", token: null, ("Host", $"127.0.0.1:{_managementPort}"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_management_port_does_not_proxy()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key.CreateToken(OrdersReader));

        using var response = await _management.SendAsync(request);
        using var publicResponse = await GetAsync("/api/orders", Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(publicResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
