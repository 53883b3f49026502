using System.Net;
using System.Net.Http.Headers;
using NUnit.Framework;

namespace Gateway.Tests;

/// <summary>
/// Requests sent byte for byte to the gateway on a real port (HttpClient's own path normalisation switched off):
/// a path is either canonical, in which case the service receives exactly the path the route policy judged, or
/// it is refused with 400 before any route, policy or service sees it.
/// </summary>
[TestFixture]
public sealed class PathTrickTests : GatewayTestBase
{
    protected override bool OnKestrel => true;

    [TestCaseSource(nameof(NonCanonicalTargets))]
    public async Task A_non_canonical_request_target_is_refused_with_400_even_with_a_valid_token(string target)
    {
        using var response = await SendRawAsync(HttpMethod.Get, target, Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_refusal_is_problem_details()
    {
        using var response = await SendRawAsync(HttpMethod.Get, "/.well-known/..%2fapi%2forders", token: null);

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [TestCaseSource(nameof(NonCanonicalTargets))]
    public async Task A_non_canonical_request_target_is_refused_even_without_a_token(string target)
    {
        using var response = await SendRawAsync(HttpMethod.Get, target, token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [TestCase("/api/orders/42", "/orders/42")]
    [TestCase("/API/Orders/42", "/Orders/42")]
    [TestCase("/api/orders/42/", "/orders/42/")]
    [TestCase("/api/orders/%34%32", "/orders/42")]
    [TestCase("/api/orders/a%20b", "/orders/a b")]
    [TestCase("/api/orders/caf%C3%A9", "/orders/café")]
    [TestCase("/api/orders/42?x=%2e%2e%2f", "/orders/42")]
    public async Task A_canonical_path_reaches_the_service_as_judged_less_the_route_prefix(string target, string received)
    {
        using var response = await SendRawAsync(HttpMethod.Get, target, Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await EchoOf(response)).Path, Is.EqualTo(received));
    }

    [TestCase("/API/ORDERS")]
    [TestCase("/api/orders/")]
    [TestCase("/Api/Orders/42/")]
    public async Task Case_and_trailing_slashes_do_not_escape_the_route_policy(string target)
    {
        using var response = await SendRawAsync(HttpMethod.Get, target, token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("/internal/reservations")]
    [TestCase("/INTERNAL/reservations/")]
    [TestCase("/orders/report")]
    public async Task A_service_internal_path_is_not_routed_whatever_its_form(string target)
    {
        using var response = await SendRawAsync(HttpMethod.Get, target, Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_anonymous_metadata_route_with_a_trailing_slash_reaches_the_same_path()
    {
        using var response = await SendRawAsync(HttpMethod.Get, "/.well-known/jwks.json/", token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await EchoOf(response)).Path, Is.EqualTo("/.well-known/jwks.json/"));
    }

    private static IEnumerable<TestCaseData> NonCanonicalTargets()
    {
        // Dot segments, plain and encoded: a weaker route's prefix "climbed out of", or an unrouted path reached.
        yield return Case("/connect/../api/orders");
        yield return Case("/api/orders/../../internal/reservations");
        yield return Case("/api/orders/./42");
        yield return Case("/api/orders/.");
        yield return Case("/.well-known/openid-configuration/..");
        yield return Case("/api/orders/%2e%2e/%2e%2e/internal/reservations");
        yield return Case("/api/orders/%2E./internal");
        yield return Case("/api/orders/42%2ejson");
        // Encoded slashes and backslashes: one segment to the gateway's router, several to a service that decodes them.
        yield return Case("/.well-known/..%2fapi%2forders");
        yield return Case("/.well-known/openid-configuration%2F..%2F..%2Finternal%2Freservations");
        yield return Case("/api/orders/..%2f..%2finternal%2freservations");
        yield return Case("/.well-known/..%5capi%5corders");
        yield return Case("/api\\orders");
        // Double encoding: decoded once here, once more behind.
        yield return Case("/.well-known/%252e%252e%252fapi%252forders");
        yield return Case("/api/orders/%25");
        // Empty segments.
        yield return Case("//api/orders");
        yield return Case("/api//orders");
        yield return Case("/api/orders//42");
        // Overlong and otherwise invalid UTF-8.
        yield return Case("/.well-known/%c0%ae%c0%ae%c0%afapi%c0%aforders");
        yield return Case("/api/orders/%c0%af..%c0%afinternal");
        yield return Case("/api/orders/%e0%80%af");
        yield return Case("/api/orders/%ff");
        yield return Case("/api/orders/%ed%a0%80");
        // NUL and other control characters.
        yield return Case("/api/orders%00/42");
        yield return Case("/.well-known/jwks.json%00.html");
        yield return Case("/api/orders/%0d%0aX-User-Id:%20admin");
        yield return Case("/api/orders/%7f");
        // A token in the query, even on an anonymous route.
        yield return Case("/.well-known/jwks.json?access_token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        // Malformed percent-encoding.
        yield return Case("/api/orders/%zz");
        yield return Case("/api/orders/%4");
    }

    private static TestCaseData Case(string target) => new TestCaseData(target).SetArgDisplayNames(target);

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string target, string? token)
    {
        var uri = new Uri(Client.BaseAddress!.GetLeftPart(UriPartial.Authority) + target,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(method, uri);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request);
    }
}
