using TokenService.Tokens.Grants;

namespace TokenService.Mfa;

public static class MfaExtensions
{
    /// <summary>TOTP second factor: the <c>mfa_required</c> step of password sign-in, its completing grant, and the options.</summary>
    public static IHostApplicationBuilder AddMfa(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<MfaOptions>().BindConfiguration(MfaOptions.SectionName)
            .Validate(o => o.ChallengeLifetime >= TimeSpan.FromMinutes(1) && o.ChallengeLifetime <= MfaOptions.MaximumChallengeLifetime,
                "Mfa:ChallengeLifetime must be between 1 and 15 minutes.")
            .Validate(o => o.MaxCodeAttempts is >= 1 and <= 10, "Mfa:MaxCodeAttempts must be between 1 and 10.")
            .Validate(o => o.IssuerName is null || (o.IssuerName.Length is > 0 and <= 64 && !o.IssuerName.Contains(':', StringComparison.Ordinal)),
                "Mfa:IssuerName must be 1 to 64 characters without ':'.")
            .ValidateOnStart();
        services.AddScoped<SecondFactor>();
        services.AddScoped<MfaChallenges>();
        services.AddScoped<IGrantHandler, MfaGrantHandler>();
        return builder;
    }

    /// <summary>The user's own MFA under <c>/account/mfa</c> and the operators' reset under <c>/admin/users/{id}/mfa</c>.</summary>
    public static IEndpointRouteBuilder MapMfa(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMfaAccount();
        endpoints.MapMfaAdministration();
        return endpoints;
    }
}
