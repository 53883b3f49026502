namespace TokenService.ClientAddresses;

/// <summary>Which reverse proxies may tell the token service the client's address, bound from <c>ClientAddresses</c>.</summary>
public sealed class ClientAddressOptions
{
    public const string SectionName = "ClientAddresses";

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.244.0.0/16</c>) of the proxies in front of the token service (the gateway) whose
    /// <c>X-Forwarded-For</c> names the client. Loopback is always trusted; default: nothing else. Sign-in rate
    /// limits, sessions and the audit log use this address: while the gateway's own address stands in for every
    /// client, all clients share one sign-in budget.
    /// </summary>
    public IList<string> TrustedProxyNetworks { get; } = [];
}
