using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Telemetry;

/// <summary>
/// Keeps W3C trace context flowing when no trace exporter is configured: every incoming request gets its server
/// activity (continuing the caller's <c>traceparent</c>, or starting a trace), every outgoing HTTP call its client
/// activity, so services join the caller's trace and log lines carry its ids, as with the OpenTelemetry tracer.
/// The sampled flag is decided as the tracer's default sampler (parent-based, always on) decides it, so a service that
/// does export records exactly the spans it did before; but nothing is recorded here, which is what the tracer's
/// instrumentation cost on every request for spans nobody received (docs/performance.md).
/// </summary>
internal sealed class TraceContextPropagation : IHostedService, IDisposable
{
    /// <summary>The activity sources of ASP.NET Core's server requests and HttpClient's outgoing ones.</summary>
    private static readonly HashSet<string> Sources = new(StringComparer.Ordinal) { "Microsoft.AspNetCore", "System.Net.Http" };

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => Sources.Contains(source.Name),
        Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
            options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                ? ActivitySamplingResult.AllDataAndRecorded
                : ActivitySamplingResult.PropagationData,
        // The sampled flag is what propagates; with nothing recording, the tags ASP.NET Core and HttpClient would put on
        // the activity once it has started (the full URL among them) are work for nobody.
        ActivityStarted = activity => activity.IsAllDataRequested = false,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
