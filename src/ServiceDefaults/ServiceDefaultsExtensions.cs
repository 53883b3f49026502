using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.ClientAddresses;
using ServiceDefaults.Health;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults;

/// <summary>
/// The wiring every process of the platform shares (eShop "ServiceDefaults" style): telemetry, health checks,
/// RFC 9457 problem details and the client's address behind trusted proxies. Token verification is opt-in through <c>AddAccessTokenVerification</c>.
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
        builder.Services.AddClientAddresses();
        return builder;
    }

    /// <summary>
    /// Takes the client's address from trusted proxies' <c>X-Forwarded-For</c> (if configured), maps
    /// <c>/health/live</c> and <c>/health/ready</c> and turns unhandled errors into problem details.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseClientAddresses();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultHealthEndpoints();
        return app;
    }
}
