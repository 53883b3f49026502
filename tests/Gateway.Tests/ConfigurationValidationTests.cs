using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>A gateway with a wrong setting refuses to start and names the setting.</summary>
[TestFixture]
public sealed class ConfigurationValidationTests
{
    private TestSigningKey _key = null!;
    private FakeAuthority _authority = null!;

    [OneTimeSetUp]
    public async Task StartAuthority()
    {
        _key = new TestSigningKey();
        _authority = await FakeAuthority.StartAsync(_key);
    }

    [OneTimeTearDown]
    public async Task StopAuthority()
    {
        await _authority.DisposeAsync();
        _key.Dispose();
    }

    [TestCase("TokenVerification:FallbackJwks", "not a key set", "TokenVerification:FallbackJwks")]
    [TestCase("TokenVerification:FallbackJwks", """{"keys":[]}""", "TokenVerification:FallbackJwks")]
    [TestCase("TokenVerification:KeyRefreshInterval", "00:00:30", "TokenVerification:KeyRefreshInterval")]
    [TestCase("TokenVerification:MinimumKeyRefreshInterval", "00:00:00.5", "TokenVerification:MinimumKeyRefreshInterval")]
    [TestCase("TokenVerification:ClockSkew", "00:05:00", "TokenVerification:ClockSkew")]
    [TestCase("TokenVerification:UnknownKeyIdRetention", "00:00:30", "TokenVerification:UnknownKeyIdRetention")]
    [TestCase("TokenVerification:UnknownKeyIdCapacity", "0", "TokenVerification:UnknownKeyIdCapacity")]
    [TestCase("ForwardedHeaders:TrustedNetworks:0", "10.0.0.0/33", "ForwardedHeaders:TrustedNetworks")]
    [TestCase("ForwardedHeaders:TrustedProxies:0", "ingress", "ForwardedHeaders:TrustedProxies")]
    [TestCase("ForwardedHeaders:ForwardLimit", "0", "ForwardedHeaders:ForwardLimit")]
    [TestCase("Gateway:RequestTimeouts:Request", "00:00:00.5", "Gateway:RequestTimeouts:Request")]
    [TestCase("Gateway:RequestTimeouts:DataRateGracePeriod", "00:00:01", "Gateway:RequestTimeouts:DataRateGracePeriod")]
    [TestCase("Gateway:RequestTimeouts:MinRequestBodyBytesPerSecond", "0", "MinRequestBodyBytesPerSecond")]
    [TestCase("Management:Port", "70000", "Management:Port")]
    [TestCase("TokenVerification:ValidatedTokenCacheSize", "-1", "TokenVerification:ValidatedTokenCacheSize")]
    [TestCase("Gateway:Policies:orders-read:RequiredScopes:1", " ", "Gateway:Policies")]
    [TestCase("Gateway:RateLimits:TokenEndpoint:PermitLimit", "0", "Gateway:RateLimits")]
    [TestCase("Gateway:RateLimits:PerSubject:Window", "00:00:00", "Gateway:RateLimits")]
    [TestCase("ReverseProxy:Routes:token-endpoint:RateLimiterPolicy", "no-such-limit", "no-such-limit")]
    [TestCase("ReverseProxy:Routes:orders-read:AuthorizationPolicy", "no-such-policy", "no-such-policy")]
    public async Task A_gateway_with_an_invalid_setting_does_not_start_and_names_it(string key, string value, string named)
    {
        await using var backend = await EchoBackend.StartAsync();
        await using var gateway = GatewayHost.Create(_authority, backend.BaseAddress, new Dictionary<string, string> { [key] = value });

        var failure = Assert.Catch(() => gateway.CreateClient());

        Assert.That(MessagesOf(failure), Does.Contain(named));
    }

    private static string MessagesOf(Exception? exception) =>
        exception is null ? "" : $"{exception.Message} {MessagesOf(exception.InnerException)}";
}
