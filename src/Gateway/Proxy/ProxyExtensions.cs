using ServiceDefaults.Configuration;

namespace Gateway.Proxy;

public static class ProxyExtensions
{
    /// <summary>
    /// YARP with routes and clusters from the <c>ReverseProxy</c> section (reloaded on change), header hygiene on
    /// every route, and an activity timeout and passive health checks on every cluster. Errors reaching a
    /// destination (502, 503, 504) are answered as problem details by the shared status-code pages.
    /// </summary>
    public static IHostApplicationBuilder AddProxy(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddReloadableOptions<HeaderHygieneOptions>(HeaderHygieneOptions.SectionName, static (section, options) => section.Bind(options))
            .Validate(o => o.StrippedRequestHeaderPrefixes.All(p => !string.IsNullOrWhiteSpace(p)), "Gateway:HeaderHygiene prefixes must not be empty.");
        builder.Services.AddReloadableOptions<UpstreamOptions>(UpstreamOptions.SectionName, static (section, options) => section.Bind(options))
            .Validate(o => o.ActivityTimeout > TimeSpan.Zero && o.ReactivationPeriod > TimeSpan.Zero,
                "Gateway:Upstreams: ActivityTimeout and ReactivationPeriod must be positive.");
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddConfigFilter<UpstreamDefaults>()
            .AddTransforms<IdentityHeaderStripping>();
        return builder;
    }
}
