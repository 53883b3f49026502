using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ServiceDefaults.Authorization;

namespace Gateway.Policies;

/// <summary>
/// Resolves route policies from configuration at request time, so a configuration reload changes them without
/// a restart. Built policies are cached until the next reload.
/// </summary>
internal sealed class ConfiguredPolicyProvider : IAuthorizationPolicyProvider, IDisposable
{
    private readonly DefaultAuthorizationPolicyProvider _defaults;
    private readonly IOptionsMonitor<GatewayPolicyOptions> _options;
    private readonly IDisposable? _subscription;
    private volatile ConcurrentDictionary<string, AuthorizationPolicy?> _built = new(StringComparer.OrdinalIgnoreCase);

    public ConfiguredPolicyProvider(IOptions<AuthorizationOptions> authorizationOptions, IOptionsMonitor<GatewayPolicyOptions> options)
    {
        _defaults = new DefaultAuthorizationPolicyProvider(authorizationOptions);
        _options = options;
        _subscription = options.OnChange(_ => _built = new ConcurrentDictionary<string, AuthorizationPolicy?>(StringComparer.OrdinalIgnoreCase));
    }

    public Task<AuthorizationPolicy> GetDefaultPolicyAsync() => _defaults.GetDefaultPolicyAsync();

    public Task<AuthorizationPolicy?> GetFallbackPolicyAsync() => _defaults.GetFallbackPolicyAsync();

    public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) =>
        Task.FromResult(_built.GetOrAdd(policyName, Build));

    public void Dispose() => _subscription?.Dispose();

    private AuthorizationPolicy? Build(string policyName)
    {
        if (!_options.CurrentValue.Policies.TryGetValue(policyName, out var policy))
        {
            return null;
        }

        return new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireScopes(policy.RequiredScopes)
            .RequirePermissions(policy.RequiredPermissions)
            .RequireRoles(policy.RequiredRoles)
            .Build();
    }
}
