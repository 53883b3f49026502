using System.Net;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// Run twice: against the gateway on the JIT in the test process, and against the published native executable that
/// ships (where trimming and ahead-of-time compilation could break what the JIT runs).
/// </summary>
[TestFixture(GatewayBuild.Jit)]
[TestFixture(GatewayBuild.Native)]
public sealed class BearerTokenValidationTests(GatewayBuild build) : GatewayTestBase(build)
{
    private const string OrdersPath = "/api/orders";
    private const string InvalidTokenChallenge = "Bearer error=\"invalid_token\"";

    [Test]
    public async Task A_request_without_a_token_is_challenged_with_401()
    {
        using var response = await GetAsync(OrdersPath, token: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task A_valid_token_with_the_route_permission_reaches_the_service_with_the_prefix_removed()
    {
        using var response = await GetAsync($"{OrdersPath}/42", Key.CreateToken(OrdersReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await EchoOf(response)).Path, Is.EqualTo("/orders/42"));
    }

    [Test]
    public async Task The_bearer_token_is_forwarded_unchanged_so_services_can_verify_it_themselves()
    {
        var token = Key.CreateToken(OrdersReader);

        using var response = await GetAsync(OrdersPath, token);

        Assert.That((await EchoOf(response)).Headers["Authorization"], Is.EqualTo($"Bearer {token}"));
    }

    [TestCaseSource(nameof(ForgedTokens))]
    public async Task A_bad_token_is_refused_with_401_invalid_token(Func<TestSigningKey, string> forge)
    {
        using var response = await GetAsync(OrdersPath, forge(Key));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo(InvalidTokenChallenge));
    }

    [Test]
    public async Task An_oversized_token_is_refused_without_reaching_the_service()
    {
        var token = Key.CreateToken(OrdersReader with { ExtraClaims = new Dictionary<string, object> { ["padding"] = new string('a', 300_000) } });

        using var response = await GetAsync(OrdersPath, token);

        // A real listener's 32 KiB header limit answers first; the in-memory test server has none, so the handler does.
        Assert.That(response.StatusCode, Is.EqualTo(Native ? HttpStatusCode.RequestHeaderFieldsTooLarge : HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo(Native ? "" : InvalidTokenChallenge));
    }

    [Test]
    public async Task A_valid_token_without_the_route_permission_is_forbidden_with_insufficient_scope()
    {
        var token = Key.CreateToken(new TokenSpec { Scopes = ["orders"], Permissions = ["inventory:read"] });

        using var response = await GetAsync(OrdersPath, token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer error=\"insufficient_scope\""));
    }

    [Test]
    public async Task A_valid_token_without_the_route_scope_is_forbidden()
    {
        var token = Key.CreateToken(new TokenSpec { Scopes = ["inventory"], Permissions = ["orders:read"] });

        using var response = await GetAsync(OrdersPath, token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    private static IEnumerable<TestCaseData> ForgedTokens()
    {
        yield return Case("expired", key => key.CreateToken(OrdersReader with
        {
            IssuedAt = TimeProvider.System.GetUtcNow().AddMinutes(-10),
        }));
        yield return Case("not yet valid", key => key.CreateToken(OrdersReader with
        {
            IssuedAt = TimeProvider.System.GetUtcNow().AddMinutes(5),
        }));
        yield return Case("another issuer", key => key.CreateToken(OrdersReader with { Issuer = "https://evil.test" }));
        yield return Case("another audience", key => key.CreateToken(OrdersReader with { Audiences = ["billing-api"] }));
        yield return Case("no audience", key => key.CreateToken(OrdersReader with { Audiences = [] }));
        yield return Case("an ID token (typ JWT)", key => key.CreateToken(OrdersReader with { TokenType = "JWT" }));
        yield return Case("signed by a key not in the JWKS", _ =>
        {
            using var stranger = new TestSigningKey();
            return stranger.CreateToken(OrdersReader);
        });
        yield return Case("signed by a stranger under a published kid", key =>
        {
            using var stranger = new TestSigningKey(key.KeyId);
            return stranger.CreateToken(OrdersReader);
        });
        yield return Case("HS256 signed with the public key", key => key.CreateToken(OrdersReader, descriptor =>
            descriptor.SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(key.PublicKeyBytes()) { KeyId = key.KeyId }, SecurityAlgorithms.HmacSha256)));
        yield return Case("alg none", key => Unsigned(key.CreateToken(OrdersReader), """{"alg":"none","typ":"at+jwt"}"""));
        yield return Case("signature stripped", key => Unsigned(key.CreateToken(OrdersReader), header: null));
        yield return Case("payload tampered", key =>
        {
            var parts = key.CreateToken(OrdersReader).Split('.');
            var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"user-1\"", "\"admin\"", StringComparison.Ordinal);
            return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        });
        yield return Case("embedded jwk of an attacker's key", _ =>
        {
            using var attacker = new TestSigningKey();
            return attacker.CreateToken(OrdersReader, descriptor =>
                descriptor.AdditionalHeaderClaims = new Dictionary<string, object> { ["jwk"] = attacker.PublicJwk() });
        });
        yield return Case("jku header, even when signed by a published key", key => key.CreateToken(OrdersReader, descriptor =>
            descriptor.AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = "https://evil.test/jwks.json" }));
        yield return Case("random bytes", _ => Base64UrlEncoder.Encode(Guid.NewGuid().ToByteArray()));
    }

    /// <summary>The token's header replaced (or kept) and its signature removed.</summary>
    private static string Unsigned(string token, string? header)
    {
        var parts = token.Split('.');
        var newHeader = header is null ? parts[0] : Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(header));
        return $"{newHeader}.{parts[1]}.";
    }

    private static TestCaseData Case(string name, Func<TestSigningKey, string> forge) =>
        new TestCaseData(forge).SetArgDisplayNames(name);
}
