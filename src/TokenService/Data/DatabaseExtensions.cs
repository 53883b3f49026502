using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
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
            .Validate(options => options.ConnectTimeout >= TimeSpan.FromSeconds(1) && options.ConnectTimeout <= TimeSpan.FromSeconds(60),
                "Database:ConnectTimeout must be between 1 and 60 seconds.")
            .Validate(options => options.CommandTimeout >= TimeSpan.FromSeconds(1) && options.CommandTimeout <= TimeSpan.FromSeconds(120),
                "Database:CommandTimeout must be between 1 and 120 seconds.")
            .Validate(options => options.PreparedStatements is >= 0 and <= 256, "Database:PreparedStatements must be between 0 and 256.")
            .ValidateOnStart();

        // The provider is chosen by configuration, so the context is resolved through the options at run time.
        // Pooled: the options are built once and a context's internal services are reused across requests, instead of
        // being built again for every request (the largest cost of a client_credentials grant after signing;
        // docs/performance.md, scenario 3). EF Core resets a context's state when it returns to the pool.
        services.AddDbContextPool<PostgresTokenDbContext>((provider, options) =>
        {
            var database = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString)
            {
                Timeout = Seconds(database.ConnectTimeout),
                MaxAutoPrepare = database.PreparedStatements,
            };
            options.UseNpgsql(connection.ConnectionString, npgsql => npgsql.CommandTimeout(Seconds(database.CommandTimeout)));
        });
        services.AddDbContextPool<SqliteTokenDbContext>((provider, options) =>
        {
            var database = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseSqlite(database.ConnectionString, sqlite => sqlite.CommandTimeout(Seconds(database.CommandTimeout)));
        });
        services.AddScoped<TokenDbContext>(provider =>
            provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider == DatabaseProvider.Postgres
                ? provider.GetRequiredService<PostgresTokenDbContext>()
                : provider.GetRequiredService<SqliteTokenDbContext>());

        services.AddHostedService<DatabaseMigrator>();
        services.AddHealthChecks().AddDbContextCheck<TokenDbContext>("database", tags: [HealthExtensions.ReadyTag]);
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        return builder;
    }

    private static readonly TimeSpan MigrationCommandTimeout = TimeSpan.FromMinutes(10);

    private static int Seconds(TimeSpan timeout) => (int)Math.Ceiling(timeout.TotalSeconds);

    /// <summary>Applies pending migrations (EF Core takes a database lock, so concurrent starts do not race).</summary>
    public static async Task MigrateTokenDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        database.Database.SetCommandTimeout(MigrationCommandTimeout); // schema changes may outlast a request's timeout
        await database.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }
}
