using TokenService.Clients;

namespace TokenService.Seeding;

public static class SeedingExtensions
{
    public static IHostApplicationBuilder AddDemoSeed(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DemoSeedOptions>().BindConfiguration(DemoSeedOptions.SectionName)
            .Validate(o => !o.Enabled || (o.AdminPassword.Length >= 12 && o.UserPassword.Length >= 12),
                "DemoSeed passwords must have at least 12 characters.")
            .Validate(o => !o.Enabled || (o.OrdersServiceSecret.Length >= ClientSecrets.MinimumLength && o.ReportingServiceSecret.Length >= ClientSecrets.MinimumLength),
                "DemoSeed client secrets must have at least 32 characters.")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoSeeder>();
        return builder;
    }
}
