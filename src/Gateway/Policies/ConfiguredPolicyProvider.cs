using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ServiceDefaults.Authorization;
using ServiceDefaults.Configuration;

namespace Gateway.Policies;

/// <summary>
/// Resolves route policies from configuration at request time, so a configuration reload changes them without
/// a restart. A reload that fails validation is logged and ignored (<see cref="ReloadableOptions{TOptions}"/>): the
/// last valid policies stay in force (at start, invalid policies stop the process instead). Built policies are
/// cached until the next valid reload.
/// </summary>
internal sealed class ConfiguredPolicyProvider(
    IOptions<AuthorizationOptions> authorizationOptions,
    ReloadableOptions<GatewayPolicyOptions> policies) : IAuthorizationPolicyProvider
{
    private readonly DefaultAuthorizationPolicyProvider _defaults = new(authorizationOptions);
    private volatile Snapshot? _snapshot;

    public Task<AuthorizationPolicy> GetDefaultPolicyAsync() => _defaults.GetDefaultPolicyAsync();

    public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) => Task.FromResult(CurrentSnapshot().Get(policyName));

    public Task<AuthorizationPolicy?> GetFallbackPolicyAsync() => _defaults.GetFallbackPolicyAsync();

    private Snapshot CurrentSnapshot()
    {
        var current = policies.Current;
        var snapshot = _snapshot;
        if (snapshot?.Options != current)
        {
            snapshot = new Snapshot(current);
            _snapshot = snapshot;
        }

        return snapshot;
    }

    /// <summary>One valid set of policies and the authorization policies built from it so far.</summary>
    private sealed class Snapshot(GatewayPolicyOptions options)
    {
        private readonly ConcurrentDictionary<string, AuthorizationPolicy?> _built = new(StringComparer.OrdinalIgnoreCase);

        public GatewayPolicyOptions Options => options;

        public AuthorizationPolicy? Get(string policyName) => _built.GetOrAdd(policyName, Build);

        private AuthorizationPolicy? Build(string policyName) =>
            options.Policies.TryGetValue(policyName, out var policy)
                ? new AuthorizationPolicyBuilder()
                    .RequireAuthenticatedUser()
                    .RequireScopes(policy.RequiredScopes)
                    .RequirePermissions(policy.RequiredPermissions)
                    .RequireRoles(policy.RequiredRoles)
                    .Build()
                : null;
    }
}
