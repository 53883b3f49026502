using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ServiceDefaults.Health;
using ServiceDefaults.Telemetry;

namespace ServiceDefaults;

/// <summary>
/// The wiring every process of the platform shares (eShop "ServiceDefaults" style): telemetry, health checks
/// and RFC 9457 problem details. Token verification is opt-in through <c>AddAccessTokenVerification</c>.
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
        // A request the framework found malformed (unreadable JSON, a bad content type, a body over the limit) is
        // the client's error: answer its 4xx, not 500. Minimal APIs throw these instead of answering 400 in
        // Development, and body reads in handlers throw them in every environment.
        builder.Services.Configure<ExceptionHandlerOptions>(options =>
            options.StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c> and turns unhandled errors into problem details.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapDefaultHealthEndpoints();
        return app;
    }
}
