using IPNetwork = System.Net.IPNetwork;
using Microsoft.AspNetCore.HttpOverrides;

namespace TokenService.ClientAddresses;

public static class ClientAddressesExtensions
{
    /// <summary>The client's address from the trusted proxy's <c>X-Forwarded-For</c> (its last entry), else the connection's.</summary>
    public static IHostApplicationBuilder AddClientAddresses(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ClientAddressOptions>().BindConfiguration(ClientAddressOptions.SectionName)
            .Validate(o => o.TrustedProxyNetworks.All(n => IPNetwork.TryParse(n, out _)),
                "ClientAddresses:TrustedProxyNetworks must list networks in CIDR notation (e.g. 10.244.0.0/16).")
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<Microsoft.Extensions.Options.IOptions<ClientAddressOptions>>((forwarded, addresses) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            foreach (var network in addresses.Value.TrustedProxyNetworks)
            {
                forwarded.KnownIPNetworks.Add(IPNetwork.Parse(network));
            }
        });
        return builder;
    }

    public static WebApplication UseClientAddresses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        return app;
    }
}
