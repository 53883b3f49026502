namespace ServiceDefaults.ClientAddresses;

/// <summary>
/// Whose <c>X-Forwarded-For</c> a process believes, so per-address rate limits, audit records and sessions see the
/// client's address rather than the proxy's. Bound from <c>ForwardedHeaders</c>, validated at start. By default no
/// one is trusted and the header is ignored: the address is the connection's peer.
/// </summary>
public sealed class ForwardedHeadersTrustOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Addresses of proxies whose <c>X-Forwarded-For</c> is believed (e.g. <c>10.0.4.17</c>). Default none.</summary>
    public IList<string> TrustedProxies { get; } = [];

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose proxies are believed: in Kubernetes the pod network, which holds
    /// the ingress controller (for the gateway) and the gateway (for the token service). Default none.
    /// </summary>
    public IList<string> TrustedNetworks { get; } = [];

    /// <summary>
    /// How many proxies, counted from the process, may each add an address to <c>X-Forwarded-For</c>; only trusted
    /// ones are followed. Default 1 (one ingress in front); between 1 and 10.
    /// </summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>
    /// Believes <c>X-Forwarded-For</c> from any peer. Default <c>false</c>. Insecure: any client can then choose its
    /// address and escape per-address limits. Only for a process no client can reach except through a proxy that
    /// replaces the header; a warning is logged at start whenever it is on.
    /// </summary>
    public bool TrustAllProxies { get; set; }

    internal bool TrustsAnyone => TrustAllProxies || TrustedProxies.Count > 0 || TrustedNetworks.Count > 0;
}
