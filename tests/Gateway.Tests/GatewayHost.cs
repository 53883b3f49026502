using Gateway.Policies;
using TestSupport;

namespace Gateway.Tests;

/// <summary>The real gateway, trusting a <see cref="FakeAuthority"/>'s keys and proxying every cluster to an echo backend.</summary>
internal static class GatewayHost
{
    public static ConfiguredHost<RoutePolicy> Create(FakeAuthority authority, Uri backend)
    {
        var settings = new Dictionary<string, string>
        {
            ["TokenVerification:Authority"] = authority.BaseAddress.ToString(),
            ["TokenVerification:Issuer"] = FakeAuthority.Issuer,
            ["TokenVerification:AllowInsecureHttpMetadata"] = "true",
        };
        foreach (var cluster in new[] { "token-service", "orders", "inventory" })
        {
            settings[$"ReverseProxy:Clusters:{cluster}:Destinations:primary:Address"] = backend.ToString();
        }

        return new ConfiguredHost<RoutePolicy>(settings);
    }
}
