using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.ClientAddresses;
using ServiceDefaults.Health;
using ServiceDefaults.Management;
using ServiceDefaults.RequestBodies;
using ServiceDefaults.Shutdown;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults;

/// <summary>
/// The wiring every process of the platform shares (eShop "ServiceDefaults" style): telemetry with Prometheus
/// metrics, health checks, a management port for both, RFC 9457 problem details, the client's address behind
/// trusted proxies and the shutdown drain. Token verification is opt-in through <c>AddAccessTokenVerification</c>.
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
        builder.Services.AddManagementPort();
        builder.Services.AddShutdownDrain();
        // A request the framework found malformed (unreadable JSON, a bad content type, a body over the limit) is
        // the client's error: answer its 4xx, not 500. Minimal APIs throw these instead of answering 400 in
        // Development, and body reads in handlers throw them in every environment.
        builder.Services.Configure<ExceptionHandlerOptions>(options =>
            options.StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        return builder;
    }

    /// <summary>
    /// Keeps <c>/metrics</c> and <c>/health/live</c>, <c>/health/ready</c> on the management port (if configured) and
    /// maps them, takes the client's address from trusted proxies' <c>X-Forwarded-For</c> (if configured), turns
    /// unhandled errors into problem details, answers 415 to a body in a charset nothing here can decode, closes the
    /// connection after answering a request whose declared body is over its endpoint's limit, and closes connections
    /// after each response while draining for shutdown.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseShutdownDrain();
        app.UseManagementEndpoints();
        app.UseClientAddresses();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestBodyGuards();
        app.MapManagementEndpoints();
        return app;
    }
}
