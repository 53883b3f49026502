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
    /// Metrics for ASP.NET Core, outgoing HTTP and the runtime, plus the meter named after the application, scraped by
    /// Prometheus from <c>/metrics</c>. Traces (ASP.NET Core, outgoing HTTP and the activity source named after the
    /// application) and logs are exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (as the Aspire
    /// dashboard or a collector in Kubernetes does). Without an exporter no span is recorded (nothing would receive
    /// it), but trace context still flows: see <see cref="TraceContextPropagation"/>.
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
                .AddMeter(applicationName)
                .AddPrometheusExporter());

        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddHostedService<TraceContextPropagation>();
            return builder;
        }

        telemetry.WithTracing(tracing => tracing
            .AddSource(applicationName)
            .AddAspNetCoreInstrumentation(options => options.Filter = context => !HealthExtensions.IsHealthRequest(context))
            .AddHttpClientInstrumentation());
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        telemetry.UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// Serves <c>GET /metrics</c> in the Prometheus text format for every meter of <see cref="AddDefaultTelemetry"/>,
    /// without a token (like the health endpoints) and without counting scrapes as requests. Keep it off the public
    /// port with <c>Management:Port</c>.
    /// </summary>
    internal static IEndpointConventionBuilder MapPrometheusMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint(Management.ManagementExtensions.MetricsPath).AllowAnonymous().DisableHttpMetrics();
}
