namespace TokenService.SelfService;

public static class SelfServiceExtensions
{
    /// <summary>Sign-up (off unless configured) and password change.</summary>
    public static IHostApplicationBuilder AddSelfService(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SignUpOptions>().BindConfiguration(SignUpOptions.SectionName)
            .Validate(o => o.ConfirmationLifetime >= TimeSpan.FromMinutes(10) && o.ConfirmationLifetime <= TimeSpan.FromDays(7),
                "Accounts:SignUp:ConfirmationLifetime must be between 10 minutes and 7 days.")
            .ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapSelfService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapSignUp();
        endpoints.MapPasswordChange();
        return endpoints;
    }
}
