using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Data;
using TokenService.Passwords;

namespace TokenService.Seeding;

/// <summary>
/// When <see cref="DemoSeedOptions.Enabled"/>: seeds <see cref="DemoData"/> into a store that has no roles yet, and
/// brings the demo clients and roles of an existing local store up to the current definition (so a store seeded by
/// an older version gains new grants, audiences, permissions and its default role). Users and secrets are never
/// touched again.
/// </summary>
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
        var (roles, users, clients) = DemoData.Create(options.Value, hasher, time.GetUtcNow());
        if (await database.Roles.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            await UpdateAsync(database, roles, clients, cancellationToken).ConfigureAwait(false);
            return;
        }

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

    private async Task UpdateAsync(TokenDbContext database, IReadOnlyList<Accounts.Role> roles, IReadOnlyList<Clients.Client> clients, CancellationToken cancellationToken)
    {
        foreach (var demo in clients)
        {
            var stored = await database.Clients.SingleOrDefaultAsync(c => c.ClientId == demo.ClientId, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                continue;
            }

            stored.AllowedGrantTypes = demo.AllowedGrantTypes;
            stored.AllowedScopes = demo.AllowedScopes;
            stored.AllowedAudiences = demo.AllowedAudiences;
        }

        var permissions = await database.Permissions.ToDictionaryAsync(p => p.Name, cancellationToken).ConfigureAwait(false);
        var hasDefaultRole = await database.Roles.AnyAsync(r => r.IsDefault, cancellationToken).ConfigureAwait(false);
        foreach (var demo in roles)
        {
            var stored = await database.Roles.Include(r => r.Permissions).SingleOrDefaultAsync(r => r.Name == demo.Name, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                stored.Description ??= demo.Description;
                stored.IsDefault |= demo.IsDefault && !hasDefaultRole; // a store from before default roles; an operator's choice stands
            }

            foreach (var name in demo.Permissions.Select(p => p.Name).Except(stored?.Permissions.Select(p => p.Name) ?? [], StringComparer.Ordinal))
            {
                if (!permissions.TryGetValue(name, out var permission))
                {
                    permission = permissions[name] = new Accounts.Permission { Id = Guid.NewGuid(), Name = name };
                    database.Permissions.Add(permission);
                }

                stored?.Permissions.Add(permission);
            }
        }

        var changes = await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (changes > 0)
        {
            LogUpdated(logger, changes);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Seeded demo data ({UserCount} users, {ClientCount} clients). For local use only.")]
    private static partial void LogSeeded(ILogger logger, int userCount, int clientCount);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Brought the demo clients and roles up to date ({Changes} changes). For local use only.")]
    private static partial void LogUpdated(ILogger logger, int changes);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Demo data was seeded by another instance.")]
    private static partial void LogSeededElsewhere(ILogger logger);
}
