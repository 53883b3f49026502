using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.ClientAddresses;

public static partial class ClientAddressesExtensions
{
    /// <summary>
    /// Binds <see cref="ForwardedHeadersTrustOptions"/> and turns them into ASP.NET Core's forwarded-headers settings:
    /// only <c>X-Forwarded-For</c>, only from the configured proxies and networks (ASP.NET Core's own default of
    /// trusting loopback is dropped). <c>X-Forwarded-Proto</c>/<c>-Host</c> and RFC 7239 <c>Forwarded</c> are never
    /// read: the scheme and host a process builds addresses from stay its own.
    /// </summary>
    public static IServiceCollection AddClientAddresses(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersTrustOptions>().BindConfiguration(ForwardedHeadersTrustOptions.SectionName)
            .Validate(o => o.TrustedProxies.All(p => IPAddress.TryParse(p, out _)),
                "ForwardedHeaders:TrustedProxies must list IP addresses.")
            .Validate(o => o.TrustedNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)),
                "ForwardedHeaders:TrustedNetworks must list networks in CIDR notation (such as 10.0.0.0/8).")
            .Validate(o => o.ForwardLimit is >= 1 and <= 10, "ForwardedHeaders:ForwardLimit must be between 1 and 10.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersTrustOptions>>((forwarded, configured) =>
        {
            var trust = configured.Value;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.ForwardLimit = trust.ForwardLimit;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            if (trust.TrustAllProxies)
            {
                return; // No known proxies or networks: the middleware then believes every peer.
            }

            foreach (var proxy in trust.TrustedProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in trust.TrustedNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>
    /// First in the pipeline: replaces the connection's remote address with the client's from <c>X-Forwarded-For</c>
    /// when the peer is trusted. Does nothing unless some proxy is trusted; warns when every peer is.
    /// </summary>
    public static WebApplication UseClientAddresses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var trust = app.Services.GetRequiredService<IOptions<ForwardedHeadersTrustOptions>>().Value;
        if (!trust.TrustsAnyone)
        {
            return app;
        }

        if (trust.TrustAllProxies)
        {
            LogTrustingEveryone(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientAddressesExtensions)));
        }

        app.UseForwardedHeaders();
        return app;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
        Message = "ForwardedHeaders:TrustAllProxies is on: X-Forwarded-For is believed from any peer, so a client that reaches this process directly can choose its address. List the proxies in ForwardedHeaders:TrustedNetworks instead.")]
    private static partial void LogTrustingEveryone(ILogger logger);
}
