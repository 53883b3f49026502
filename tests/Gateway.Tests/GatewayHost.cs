using Gateway.Policies;
using TestSupport;

namespace Gateway.Tests;

/// <summary>The real gateway, trusting a <see cref="FakeAuthority"/>'s keys and proxying every cluster to an echo backend.</summary>
internal static class GatewayHost
{
    /// <summary>
    /// <paramref name="overrides"/> are applied last (and may replace a cluster address); with
    /// <paramref name="onKestrel"/> the gateway listens on a real loopback port, so requests arrive byte for byte.
    /// </summary>
    public static ConfiguredHost<RoutePolicy> Create(
        FakeAuthority authority, Uri backend, IReadOnlyDictionary<string, string>? overrides = null, bool onKestrel = false) =>
        new(Settings(authority, backend, overrides), onKestrel ? 0 : null);

    /// <summary>The gateway's settings: trust <paramref name="authority"/>, send every cluster to <paramref name="backend"/>, then <paramref name="overrides"/>.</summary>
    public static Dictionary<string, string> Settings(FakeAuthority authority, Uri backend, IReadOnlyDictionary<string, string>? overrides = null)
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

        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
