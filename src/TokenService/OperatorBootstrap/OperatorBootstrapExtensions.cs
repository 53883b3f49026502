using Microsoft.Extensions.Configuration.CommandLine;

namespace TokenService.OperatorBootstrap;

public static class OperatorBootstrapExtensions
{
    /// <summary>The <c>bootstrap-admin</c> command's options and service (see <see cref="AdminBootstrap"/>).</summary>
    public static IHostApplicationBuilder AddOperatorBootstrap(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<BootstrapAdminOptions>().BindConfiguration(BootstrapAdminOptions.SectionName)
            .Validate(o => o.UserName.Length > 0 && o.Password.Length > 0, "BootstrapAdmin:UserName and BootstrapAdmin:Password are required.")
            .Validate<IConfiguration>(
                (_, configuration) => configuration is not IConfigurationRoot root
                    || !root.Providers.OfType<CommandLineConfigurationProvider>().Any(p => p.TryGet($"{BootstrapAdminOptions.SectionName}:Password", out string? _)),
                "BootstrapAdmin:Password must not be given on the command line: set BootstrapAdmin__Password in the environment (a Kubernetes Secret).");
        builder.Services.AddScoped<AdminBootstrap>();
        return builder;
    }

    /// <summary>Runs <see cref="AdminBootstrap"/> once; false when it refused (the process then exits with 1).</summary>
    public static async Task<bool> BootstrapAdminAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AdminBootstrap>().RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
