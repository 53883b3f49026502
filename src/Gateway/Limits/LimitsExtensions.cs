using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Limits;

public static class LimitsExtensions
{
    /// <summary>
    /// Binds <c>Kestrel:Limits</c> (which ASP.NET Core reads only for endpoints, not limits) onto Kestrel:
    /// request body and header sizes, header and keep-alive timeouts. Over a size limit Kestrel answers 413 or 431
    /// before the request reaches authentication or a service. The defaults are in appsettings.json.
    /// </summary>
    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var limits = builder.Configuration.GetSection("Kestrel:Limits");
        builder.Services.Configure<KestrelServerOptions>(kestrel => limits.Bind(kestrel.Limits));
        return builder;
    }
}
