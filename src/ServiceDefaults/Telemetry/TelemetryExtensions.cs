using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ServiceDefaults.Health;

namespace ServiceDefaults.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// Traces and metrics for ASP.NET Core, outgoing HTTP and the runtime, plus the meter and activity source named
    /// after the application. Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (as the Aspire
    /// dashboard or a collector in Kubernetes does); otherwise collected in process only.
    /// </summary>
    public static IHostApplicationBuilder AddDefaultTelemetry(this IHostApplicationBuilder builder)
    {
        var applicationName = builder.Environment.ApplicationName;
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(applicationName))
            .WithTracing(tracing => tracing
                .AddSource(applicationName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !HealthExtensions.IsHealthRequest(context))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Adds a Prometheus exporter for every meter of <see cref="AddDefaultTelemetry"/>; <see cref="MapPrometheusMetrics"/>
    /// serves it. Opt-in per process, for deployments that scrape rather than push.
    /// </summary>
    public static IHostApplicationBuilder AddPrometheusMetrics(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// Serves <c>GET /metrics</c> in the Prometheus text format, without a token (like the health endpoints) and
    /// without counting scrapes as requests. Restrict it to the monitoring network at the ingress, or serve it on
    /// a separate port with <c>RequireHost</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().DisableHttpMetrics();
    }
}
