namespace TokenService.Accounts;

public static class AccountsExtensions
{
    /// <summary>Sign-in protection: account lockout and per-address rate limits, both shared by every instance through the store.</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.SectionName)
            .Validate(o => o.MaxFailedAttempts is >= 3 and <= 100, "Accounts:Lockout:MaxFailedAttempts must be between 3 and 100.")
            .Validate(o => o.Duration >= TimeSpan.FromMinutes(1) && o.Duration <= LockoutOptions.MaximumDuration,
                "Accounts:Lockout:Duration must be between 1 minute and 1 day.")
            .Validate(o => o.FamiliarSourceLifetime >= TimeSpan.FromDays(1) && o.FamiliarSourceLifetime <= TimeSpan.FromDays(365),
                "Accounts:Lockout:FamiliarSourceLifetime must be between 1 day and 365 days.")
            .Validate(o => o.MaxFamiliarSources is >= 1 and <= 100, "Accounts:Lockout:MaxFamiliarSources must be between 1 and 100.")
            .ValidateOnStart();
        services.AddOptions<LoginRateLimitOptions>().BindConfiguration(LoginRateLimitOptions.SectionName)
            .Validate(o => o.PerAddressPermitLimit >= 1 && o.PerAddressAndUserPermitLimit >= 1,
                "Accounts:LoginRateLimits permit limits must be at least 1.")
            .Validate(o => o.Window >= TimeSpan.FromMinutes(1) && o.Window <= TimeSpan.FromDays(1),
                "Accounts:LoginRateLimits:Window must be between 1 minute and 1 day.")
            .ValidateOnStart();
        services.AddSingleton<SignInQueries>();
        services.AddScoped<AccountLockout>();
        services.AddScoped<LoginRateLimiter>();
        services.AddHostedService<SignInAttemptCleanup>();
        return builder;
    }
}
