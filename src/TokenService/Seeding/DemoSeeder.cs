using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Data;
using TokenService.Passwords;

namespace TokenService.Seeding;

/// <summary>Seeds <see cref="DemoData"/> into a store that has no roles yet, when <see cref="DemoSeedOptions.Enabled"/>.</summary>
internal sealed partial class DemoSeeder(
    IServiceScopeFactory scopes,
    Argon2idPasswordHasher hasher,
    TimeProvider time,
    IOptions<DemoSeedOptions> options,
    ILogger<DemoSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        if (await database.Roles.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var (roles, users, clients) = DemoData.Create(options.Value, hasher, time.GetUtcNow());
        database.Roles.AddRange(roles);
        database.Users.AddRange(users);
        database.Clients.AddRange(clients);
        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            LogSeeded(logger, users.Count, clients.Count);
        }
        catch (DbUpdateException)
        {
            // Another instance seeded the same empty store at the same moment: its data stands.
            LogSeededElsewhere(logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Seeded demo data ({UserCount} users, {ClientCount} clients). For local use only.")]
    private static partial void LogSeeded(ILogger logger, int userCount, int clientCount);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Demo data was seeded by another instance.")]
    private static partial void LogSeededElsewhere(ILogger logger);
}
