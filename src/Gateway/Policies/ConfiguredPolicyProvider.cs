using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ServiceDefaults.Authorization;

namespace Gateway.Policies;

/// <summary>
/// Resolves route policies from configuration at request time, so a configuration reload changes them without
/// a restart. A reload that fails validation is logged and ignored: the last valid policies stay in force (at
/// start, invalid policies stop the process instead). Built policies are cached until the next valid reload.
/// </summary>
internal sealed partial class ConfiguredPolicyProvider : IAuthorizationPolicyProvider, IDisposable
{
    private readonly DefaultAuthorizationPolicyProvider _defaults;
    private readonly IConfigurationSection _section;
    private readonly IValidateOptions<GatewayPolicyOptions> _validator;
    private readonly ILogger<ConfiguredPolicyProvider> _logger;
    private readonly IDisposable _subscription;
    private volatile Snapshot _current;

    public ConfiguredPolicyProvider(
        IOptions<AuthorizationOptions> authorizationOptions,
        IOptions<GatewayPolicyOptions> validatedAtStart,
        IConfiguration configuration,
        IValidateOptions<GatewayPolicyOptions> validator,
        ILogger<ConfiguredPolicyProvider> logger)
    {
        _defaults = new DefaultAuthorizationPolicyProvider(authorizationOptions);
        _section = configuration.GetSection(GatewayPolicyOptions.SectionName);
        _validator = validator;
        _logger = logger;
        _current = new Snapshot(validatedAtStart.Value);
        _subscription = ChangeToken.OnChange(_section.GetReloadToken, Reload);
    }

    public Task<AuthorizationPolicy> GetDefaultPolicyAsync() => _defaults.GetDefaultPolicyAsync();

    public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) => Task.FromResult(_current.Get(policyName));

    public Task<AuthorizationPolicy?> GetFallbackPolicyAsync() => _defaults.GetFallbackPolicyAsync();

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        var reloaded = new GatewayPolicyOptions();
        _section.Bind(reloaded);
        var validation = _validator.Validate(Options.DefaultName, reloaded);
        if (validation.Failed)
        {
            LogReloadRejected(_logger, validation.FailureMessage);
            return;
        }

        _current = new Snapshot(reloaded);
        LogReloaded(_logger, reloaded.Policies.Count);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Ignored a configuration change to Gateway:Policies; the previous policies stay in force: {Failure}")]
    private static partial void LogReloadRejected(ILogger logger, string failure);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Reloaded {PolicyCount} route policies from configuration.")]
    private static partial void LogReloaded(ILogger logger, int policyCount);

    /// <summary>One valid set of policies and the authorization policies built from it so far.</summary>
    private sealed class Snapshot(GatewayPolicyOptions options)
    {
        private readonly ConcurrentDictionary<string, AuthorizationPolicy?> _built = new(StringComparer.OrdinalIgnoreCase);

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
