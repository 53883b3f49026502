namespace Gateway.Proxy;

public static class ProxyExtensions
{
    /// <summary>YARP with routes and clusters from the <c>ReverseProxy</c> section (reloaded on change) and header hygiene on every route.</summary>
    public static IHostApplicationBuilder AddProxy(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<HeaderHygieneOptions>().BindConfiguration(HeaderHygieneOptions.SectionName)
            .Validate(o => o.StrippedRequestHeaderPrefixes.All(p => !string.IsNullOrWhiteSpace(p)), "Gateway:HeaderHygiene prefixes must not be empty.")
            .ValidateOnStart();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms<IdentityHeaderStripping>();
        return builder;
    }
}
