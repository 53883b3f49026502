using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDefaults.Health;

public static class HealthExtensions
{
    /// <summary>Tag of the checks that decide liveness: only "the process runs", never a dependency.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the checks that decide readiness: the real dependencies (database, signing keys).</summary>
    public const string ReadyTag = "ready";

    public static IServiceCollection AddDefaultHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return services;
    }

    internal static WebApplication MapDefaultHealthEndpoints(this WebApplication app)
    {
        var health = app.MapGroup("/health").AllowAnonymous().DisableHttpMetrics();
        health.MapHealthChecks("/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        health.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }

    internal static bool IsHealthRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
