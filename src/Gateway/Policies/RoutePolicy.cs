namespace Gateway.Policies;

/// <summary>
/// What a named route policy demands of the caller's access token, beyond being valid. Every listed value is
/// required (AND). A policy with nothing listed still requires a valid token.
/// </summary>
public sealed class RoutePolicy
{
    public IList<string> RequiredScopes { get; } = [];

    public IList<string> RequiredPermissions { get; } = [];

    public IList<string> RequiredRoles { get; } = [];
}

/// <summary>Bound from <c>Gateway</c>; reloaded when the configuration changes.</summary>
public sealed class GatewayPolicyOptions
{
    public const string SectionName = "Gateway";

    /// <summary>
    /// Named policies that routes refer to with <c>AuthorizationPolicy</c>. Routes name <c>anonymous</c> to be
    /// public; a route naming nothing requires a valid token (default deny).
    /// </summary>
    public IDictionary<string, RoutePolicy> Policies { get; } = new Dictionary<string, RoutePolicy>(StringComparer.OrdinalIgnoreCase);
}
