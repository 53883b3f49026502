using System.Net;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using ServiceDefaults.TokenVerification;
using TestSupport;

namespace Gateway.Tests;

[TestFixture]
public sealed class TelemetryTests : GatewayTestBase
{
    [TestCaseSource(nameof(Refusals))]
    public async Task A_refused_request_is_counted_with_its_reason(Func<TestSigningKey, string?> token, string reason)
    {
        using var failures = Collect<long>(TokenVerificationMetrics.FailuresInstrument);

        using var response = await GetAsync("/api/orders", token(Key));

        Assert.That(failures.GetMeasurementSnapshot().Select(m => m.Tags["reason"]), Is.EqualTo(new[] { reason }));
    }

    [Test]
    public async Task The_metrics_endpoint_serves_prometheus_text_without_a_token()
    {
        using (await GetAsync("/api/orders", token: null))
        {
            // One refusal, so the counter has a value to show.
        }

        using var response = await GetAsync("/metrics", token: null);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Does.Contain("token_verification_failures_total{").And.Contain("reason=\"missing_token\""));
        Assert.That(body, Does.Contain("token_verification_key_set_age_seconds"));
        Assert.That(body, Does.Contain("http_server_request_duration_seconds"));
    }

    private static IEnumerable<TestCaseData> Refusals()
    {
        yield return Case("missing_token", _ => null);
        yield return Case("expired", key => key.CreateToken(OrdersReader with { IssuedAt = TimeProvider.System.GetUtcNow().AddMinutes(-10) }));
        yield return Case("invalid_audience", key => key.CreateToken(OrdersReader with { Audiences = ["billing-api"] }));
        yield return Case("invalid_issuer", key => key.CreateToken(OrdersReader with { Issuer = "https://evil.test" }));
        yield return Case("invalid_type", key => key.CreateToken(OrdersReader with { TokenType = "JWT" }));
        yield return Case("invalid_signature", key =>
        {
            using var stranger = new TestSigningKey(key.KeyId);
            return stranger.CreateToken(OrdersReader);
        });
        yield return Case("malformed", _ => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("not a jwt")));
        yield return Case("key_referencing_header", key => key.CreateToken(OrdersReader, descriptor =>
            descriptor.AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = "https://evil.test/jwks.json" }));
        yield return Case("insufficient_scope", key => key.CreateToken(new TokenSpec { Scopes = ["orders"] }));
    }

    private static TestCaseData Case(string reason, Func<TestSigningKey, string?> token) =>
        new TestCaseData(token, reason).SetArgDisplayNames(reason);
}
