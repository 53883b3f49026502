using ServiceDefaults.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Gateway.Proxy;

/// <summary>
/// Gives every cluster an activity timeout and, instead of YARP's "panic" fallback to failing destinations, a prompt
/// 503 while none is healthy; clusters with several destinations also get passive health checks. A cluster's own
/// settings win.
/// </summary>
/// <remarks>
/// A single destination (in Kubernetes: a Service, which balances over its ready pods itself) gets no passive check:
/// taking the only destination out of rotation would turn one crashed pod into 503 for every caller for the whole
/// reactivation period, while the Service already routes around it. Its failures are answered 502 as they happen.
/// </remarks>
internal sealed class UpstreamDefaults(ReloadableOptions<UpstreamOptions> options) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var defaults = options.Current;
        var request = cluster.HttpRequest ?? new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig();
        var health = cluster.HealthCheck ?? new HealthCheckConfig();
        return ValueTask.FromResult(cluster with
        {
            HttpRequest = request with { ActivityTimeout = request.ActivityTimeout ?? defaults.ActivityTimeout },
            HealthCheck = health with
            {
                AvailableDestinationsPolicy = health.AvailableDestinationsPolicy ?? HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
                Passive = health.Passive ?? new PassiveHealthCheckConfig
                {
                    Enabled = cluster.Destinations?.Count > 1,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = defaults.ReactivationPeriod,
                },
            },
        });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
