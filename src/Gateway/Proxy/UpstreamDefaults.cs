using ServiceDefaults.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Gateway.Proxy;

/// <summary>
/// Gives every cluster an activity timeout, passive health checks and, instead of YARP's "panic" fallback to
/// failing destinations, a prompt 503 while none is healthy; a cluster's own settings win.
/// </summary>
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
                    Enabled = true,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = defaults.ReactivationPeriod,
                },
            },
        });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
