namespace ServiceDefaults.Management;

/// <summary>Bound from <c>Management</c>; validated at start.</summary>
public sealed class ManagementOptions
{
    public const string SectionName = "Management";

    /// <summary>
    /// A second port, on all interfaces, that serves only <c>/metrics</c> (Prometheus) and <c>/health/*</c>; they are
    /// then no longer served on the public port(s). Default none: everything on the public port, which suits a
    /// local run on loopback. Set it wherever the public port is reachable from outside (every Kubernetes
    /// Deployment does), and let only the monitoring system and the kubelet reach it. 1–65535.
    /// </summary>
    public int? Port { get; set; }
}
