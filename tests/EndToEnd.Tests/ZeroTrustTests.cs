using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;

namespace EndToEnd.Tests;

/// <summary>Services verify every token themselves: going around the gateway gains nothing.</summary>
[TestFixture]
public sealed class ZeroTrustTests : PlatformFixture
{
    private HttpClient _inventory = null!;

    [OneTimeSetUp]
    public void CreateDirectClient() => _inventory = new HttpClient { BaseAddress = Platform.InventoryAddress };

    [OneTimeTearDown]
    public void DisposeDirectClient() => _inventory.Dispose();

    [Test]
    public async Task A_service_refuses_a_direct_call_without_a_token()
    {
        using var response = await _inventory.GetAsync("/inventory/items");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_service_refuses_a_token_issued_for_another_audience()
    {
        var reporting = await App.ServiceTokenAsync("reporting-service", Platform.ReportingServiceSecret);

        using var response = await ReserveAsync(reporting);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task The_reservation_endpoint_refuses_user_tokens_whatever_they_carry()
    {
        var admin = await App.SignInAsync("admin", Platform.AdminPassword);

        using var response = await ReserveAsync(admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Spoofed_identity_headers_do_not_make_a_caller_anyone_else()
    {
        var alice = await App.SignInAsync("alice", Platform.UserPassword);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/inventory/items/SKU-1001/stock") { Content = JsonContent.Create(new { available = 0 }) };
        request.Headers.Authorization = new("Bearer", alice);
        request.Headers.Add("X-User-Id", "admin");
        request.Headers.Add("X-Permissions", "inventory:write");

        using var response = await _inventory.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Every_process_reports_ready_once_its_dependencies_answer()
    {
        foreach (var address in new[] { Platform.TokenServiceAddress, Platform.InventoryAddress, Platform.OrdersAddress, Platform.GatewayAddress })
        {
            using var client = new HttpClient { BaseAddress = address };
            using var response = await client.GetAsync("/health/ready");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), address.ToString());
        }
    }

    private static IEnumerable<TestCaseData> MalformedStockUpdates() =>
    [
        new TestCaseData("application/json", "{\"available\":").SetName("A_truncated_JSON_body_is_400_not_500"),
        new TestCaseData("application/json", "{\"available\":true}").SetName("A_JSON_body_of_the_wrong_type_is_400_not_500"),
        new TestCaseData("application/jwk-set+json", "available=1").SetName("A_form_sent_as_JSON_is_400_not_500"),
        new TestCaseData(";;;", "{}").SetName("An_unparseable_content_type_is_a_client_error_not_500"),
    ];

    /// <summary>Found by the hostile-input run: minimal APIs threw these at the exception handler, which answered 500.</summary>
    [TestCaseSource(nameof(MalformedStockUpdates))]
    public async Task A_malformed_body_is_a_client_error(string contentType, string body)
    {
        var admin = await App.SignInAsync("admin", Platform.AdminPassword);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/inventory/items/SKU-1001/stock") { Content = new StringContent(body) };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Authorization = new("Bearer", admin);

        using var response = await _inventory.SendAsync(request);

        Assert.That((int)response.StatusCode, Is.InRange(400, 499));
    }

    private async Task<HttpResponseMessage> ReserveAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/reservations")
        {
            Content = JsonContent.Create(new { orderId = Guid.NewGuid(), sku = "SKU-1001", quantity = 1 }),
        };
        request.Headers.Authorization = new("Bearer", token);
        return await _inventory.SendAsync(request);
    }
}
