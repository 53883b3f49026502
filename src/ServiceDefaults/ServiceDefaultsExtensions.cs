using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Health;
using ServiceDefaults.Shutdown;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults;

/// <summary>
/// The wiring every process of the platform shares (eShop "ServiceDefaults" style): telemetry, health checks,
/// RFC 9457 problem details and the shutdown drain. Token verification is opt-in through <c>AddAccessTokenVerification</c>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddDefaultTelemetry();
        builder.Services.AddDefaultHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddShutdownDrain();
        return builder;
    }

    /// <summary>
    /// Maps <c>/health/live</c> and <c>/health/ready</c>, turns unhandled errors into problem details, and closes
    /// connections after each response while draining for shutdown.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseShutdownDrain();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultHealthEndpoints();
        return app;
    }
}
