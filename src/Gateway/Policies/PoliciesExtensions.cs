using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Gateway.Policies;

public static class PoliciesExtensions
{
    /// <summary>Default deny: any endpoint without an explicit policy requires a valid token; named route policies come from configuration.</summary>
    public static IHostApplicationBuilder AddRoutePolicies(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(GatewayPolicyOptions.SectionName);
        builder.Services.AddSingleton<IValidateOptions<GatewayPolicyOptions>, GatewayPolicyOptionsValidator>();
        // Bound without a change-token source: reloads go through ConfiguredPolicyProvider, which validates them and
        // keeps the last valid policies, where a validating options monitor would throw from the change callback.
        builder.Services.AddOptions<GatewayPolicyOptions>().Configure(options => section.Bind(options)).ValidateOnStart();
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddSingleton<IAuthorizationPolicyProvider, ConfiguredPolicyProvider>();
        return builder;
    }
}
