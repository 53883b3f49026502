namespace Gateway.Proxy;

/// <summary>
/// Bound from <c>Gateway:Upstreams</c>: what every cluster gets unless its own <c>ReverseProxy:Clusters</c> entry
/// says otherwise (<c>HttpRequest:ActivityTimeout</c>, <c>HealthCheck:Passive</c>).
/// </summary>
public sealed class UpstreamOptions
{
    public const string SectionName = "Gateway:Upstreams";

    /// <summary>How long a destination may send nothing before the caller gets 504. Default 30 seconds (YARP's own: 100).</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Passive health checks (clusters with more than one destination): a destination whose transport failures within a minute exceed YARP's failure-rate
    /// limit (30 %, after at least 10 requests) is taken out of rotation for this long, and callers get 503 while
    /// no destination is left. Default 60 seconds; YARP never reactivates sooner than its 60-second detection window.
    /// </summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(60);
}
