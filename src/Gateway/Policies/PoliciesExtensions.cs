using Microsoft.AspNetCore.Authorization;

namespace Gateway.Policies;

public static class PoliciesExtensions
{
    /// <summary>Default deny: any endpoint without an explicit policy requires a valid token; named route policies come from configuration.</summary>
    public static IHostApplicationBuilder AddRoutePolicies(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GatewayPolicyOptions>().BindConfiguration(GatewayPolicyOptions.SectionName)
            .Validate(o => o.Policies.Values.All(p => p.RequiredScopes.Concat(p.RequiredPermissions).Concat(p.RequiredRoles).All(v => !string.IsNullOrWhiteSpace(v))),
                "Gateway:Policies entries must not contain empty scope, permission or role names.")
            .ValidateOnStart();
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddSingleton<IAuthorizationPolicyProvider, ConfiguredPolicyProvider>();
        return builder;
    }
}
