using Gateway.Policies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TestSupport;

namespace Gateway.Tests;

/// <summary>The real gateway, trusting a <see cref="FakeAuthority"/>'s keys and proxying every cluster to an echo backend.</summary>
internal sealed class GatewayHost(FakeAuthority authority, Uri backend) : WebApplicationFactory<RoutePolicy>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("TokenVerification:Authority", authority.BaseAddress.ToString());
        builder.UseSetting("TokenVerification:Issuer", FakeAuthority.Issuer);
        builder.UseSetting("TokenVerification:AllowInsecureHttpMetadata", "true");
        foreach (var cluster in new[] { "token-service", "orders", "inventory" })
        {
            builder.UseSetting($"ReverseProxy:Clusters:{cluster}:Destinations:primary:Address", backend.ToString());
        }
    }
}
