using Microsoft.Extensions.Options;

namespace TokenService.Data;

/// <summary>Applies migrations before anything else starts, when <see cref="DatabaseOptions.MigrateOnStart"/> is on.</summary>
internal sealed class DatabaseMigrator(IServiceProvider services, IOptions<DatabaseOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.MigrateOnStart ? services.MigrateTokenDatabaseAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
