using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults.Health;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults.Management;

public static class ManagementExtensions
{
    /// <summary>The Prometheus scraping path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Binds and validates <see cref="ManagementOptions"/>; with a port set, the server also listens on it.</summary>
    public static IServiceCollection AddManagementPort(this IServiceCollection services)
    {
        services.AddOptions<ManagementOptions>().BindConfiguration(ManagementOptions.SectionName)
            .Validate(o => o.Port is null or (>= 1 and <= 65535), "Management:Port must be between 1 and 65535.")
            .ValidateOnStart();
        services.AddTransient<IStartupFilter, ManagementPortBinding>();
        return services;
    }

    /// <summary>
    /// Maps <c>/metrics</c> and the health endpoints. With <see cref="ManagementOptions.Port"/> set, a request is
    /// answered 404 when it asks the management port for anything else, or the public port for one of these: the
    /// connection's local port decides, never the client's <c>Host</c> header.
    /// </summary>
    public static WebApplication UseManagementEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<ManagementOptions>>().Value.Port is { } port)
        {
            app.Use((context, next) =>
            {
                if ((context.Connection.LocalPort == port) != IsManagementRequest(context))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }

        return app;
    }

    /// <summary>The endpoints themselves, mapped after the pipeline's middleware.</summary>
    public static WebApplication MapManagementEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapDefaultHealthEndpoints();
        app.MapPrometheusMetrics();
        return app;
    }

    private static bool IsManagementRequest(HttpContext context) =>
        HealthExtensions.IsHealthRequest(context) || context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Adds <c>http://*:{Port}</c> to the addresses the server binds, after the host has put the configured public
    /// ones there (<c>urls</c>, <c>ASPNETCORE_HTTP_PORTS</c>), which it does only while the list is empty. A server
    /// that binds endpoints of its own (<c>Kestrel:Endpoints</c>, <c>Listen</c> in code) ignores this list: configure
    /// the management port there too.
    /// </summary>
    private sealed class ManagementPortBinding(IOptions<ManagementOptions> options) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (options.Value.Port is { } port
                && app.ServerFeatures.Get<IServerAddressesFeature>()?.Addresses is { IsReadOnly: false } addresses)
            {
                if (addresses.Count == 0)
                {
                    // Nothing configured: Kestrel's own default, which it applies only to an empty list.
                    addresses.Add("http://localhost:5000");
                }

                addresses.Add($"http://*:{port}");
            }

            next(app);
        };
    }
}
