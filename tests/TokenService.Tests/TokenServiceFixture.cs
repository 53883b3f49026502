using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using TestSupport;
using TokenService.Accounts;
using TokenService.Data;
using TokenService.Passwords;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>
/// A token service over a fresh database of the given provider for each fixture, on a clock the tests move
/// (<see cref="Clock"/> starts at the real time and stands still until advanced).
/// </summary>
public abstract class TokenServiceFixture(DatabaseProvider provider)
{
    private string? _sqliteFile;

    protected DatabaseProvider Provider => provider;

    protected FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    protected string ConnectionString { get; private set; } = "";

    protected string KeyEncryptionKey { get; } = TokenServiceHost.NewKeyEncryptionKey();

    /// <summary>Settings a fixture adds to or changes in the defaults of <see cref="TokenServiceHost"/>.</summary>
    protected virtual IReadOnlyDictionary<string, string>? ExtraSettings => null;

    protected ConfiguredHost<AccessTokenIssuer> Host { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartTokenService()
    {
        if (provider == DatabaseProvider.Postgres)
        {
            ConnectionString = await TestDatabase.Server.CreateDatabaseAsync("tokens");
        }
        else
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"tokens-{Guid.NewGuid():N}.db");
            ConnectionString = $"Data Source={_sqliteFile};Pooling=false";
        }

        Host = CreateInstance();
        Client = Host.CreateClient();
    }

    /// <summary>
    /// Another token-service instance over the same database and key-encryption key, on the same clock, with
    /// <paramref name="settings"/> over the fixture's own.
    /// </summary>
    protected ConfiguredHost<AccessTokenIssuer> CreateInstance(IReadOnlyDictionary<string, string>? settings = null) => TokenServiceHost.Create(
        provider, ConnectionString, KeyEncryptionKey, settings is null ? ExtraSettings : TokenServiceHost.Overlay(ExtraSettings, settings),
        services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ClientAddressFromHeader>();
        });

    [OneTimeTearDown]
    public async Task StopTokenService()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        if (_sqliteFile is not null)
        {
            File.Delete(_sqliteFile);
        }
    }

    /// <summary>Adds a user with the <c>user</c> role; returns its id.</summary>
    protected async Task<Guid> AddUserAsync(string userName, string password, Action<User>? configure = null)
    {
        var id = Guid.NewGuid();
        await ChangeStoreAsync(async (database, services) =>
        {
            var user = new User
            {
                Id = id,
                UserName = userName,
                NormalizedUserName = UserNames.Normalize(userName),
                PasswordHash = services.GetRequiredService<Argon2idPasswordHasher>().Hash(password),
                CreatedAt = Clock.GetUtcNow(),
            };
            user.Roles.Add(await database.Roles.SingleAsync(r => r.Name == "user"));
            configure?.Invoke(user);
            database.Users.Add(user);
        });
        return id;
    }

    /// <summary>Runs <paramref name="change"/> against the token service's own store.</summary>
    protected async Task ChangeStoreAsync(Func<TokenDbContext, IServiceProvider, Task> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var scope = Host.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        await change(database, scope.ServiceProvider);
        await database.SaveChangesAsync();
    }
}
