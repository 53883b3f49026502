using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ServiceDefaults.Configuration;

namespace Gateway.Policies;

public static class PoliciesExtensions
{
    /// <summary>Default deny: any endpoint without an explicit policy requires a valid token; named route policies come from configuration.</summary>
    public static IHostApplicationBuilder AddRoutePolicies(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<GatewayPolicyOptions>, GatewayPolicyOptionsValidator>();
        builder.Services.AddReloadableOptions<GatewayPolicyOptions>(GatewayPolicyOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddSingleton<IAuthorizationPolicyProvider, ConfiguredPolicyProvider>();
        return builder;
    }
}
