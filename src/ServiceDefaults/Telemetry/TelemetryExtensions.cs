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
    /// Instruments the framework records on every request (or every buffer rented for one) whose numbers the kept ones
    /// already give: in-flight requests and leases are the rate of the kept durations' sums (Little's law); routing's
    /// match attempts, rate limiting's lease durations and queue (its queue is 0), authentication's duration (token
    /// outcomes are counted by <c>token_verification_*</c>), the HTTP client's queue time and open-connection gauge
    /// (connection durations are kept), and Kestrel's buffer rents and pooled bytes (the pool's allocations are kept;
    /// the process's memory is in the runtime metrics). Not recording them saves each request over ten measurements
    /// (docs/performance.md, optimisation 12).
    /// Kept per request: <c>http.server.request.duration</c>, <c>http.client.request.duration</c>,
    /// <c>aspnetcore.rate_limiting.requests</c> (rejections), <c>aspnetcore.authorization.attempts</c> (denials).
    /// </summary>
    private static readonly string[] DroppedInstruments =
    [
        "http.server.active_requests",
        "aspnetcore.routing.match_attempts",
        "aspnetcore.rate_limiting.active_request_leases",
        "aspnetcore.rate_limiting.request_lease.duration",
        "aspnetcore.rate_limiting.queued_requests",
        "aspnetcore.rate_limiting.request.time_in_queue",
        "aspnetcore.authentication.authenticate.duration",
        "http.client.active_requests",
        "http.client.open_connections",
        "http.client.request.time_in_queue",
        "aspnetcore.memory_pool.rented",
        "aspnetcore.memory_pool.pooled",
    ];

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
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(applicationName)
                    .AddPrometheusExporter();
                foreach (var instrument in DroppedInstruments)
                {
                    metrics.AddView(instrument, MetricStreamConfiguration.Drop);
                }
            });

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
