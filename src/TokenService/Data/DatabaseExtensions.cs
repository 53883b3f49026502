using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Health;

namespace TokenService.Data;

public static class DatabaseExtensions
{
    public static IHostApplicationBuilder AddTokenDatabase(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName)
            .Validate(options => !string.IsNullOrWhiteSpace(options.ConnectionString), "Database:ConnectionString is required.")
            .Validate(options => Enum.IsDefined(options.Provider), "Database:Provider must be Sqlite or Postgres.")
            .ValidateOnStart();

        // The provider is chosen by configuration, so the context is resolved through the options at run time.
        services.AddDbContext<PostgresTokenDbContext>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        services.AddDbContext<SqliteTokenDbContext>((provider, options) =>
            options.UseSqlite(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        services.AddScoped<TokenDbContext>(provider =>
            provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
                ? provider.GetRequiredService<PostgresTokenDbContext>()
                : provider.GetRequiredService<SqliteTokenDbContext>());

        services.AddHostedService<DatabaseMigrator>();
        services.AddHealthChecks().AddDbContextCheck<TokenDbContext>("database", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>Applies pending migrations (EF Core takes a database lock, so concurrent starts do not race).</summary>
    public static async Task MigrateTokenDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        await database.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }
}
