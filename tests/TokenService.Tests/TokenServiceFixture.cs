using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using TestSupport;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>A token service over a fresh database of the given provider for each fixture.</summary>
public abstract class TokenServiceFixture(DatabaseProvider provider)
{
    private string? _sqliteFile;

    protected ConfiguredHost<AccessTokenIssuer> Host { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartTokenService()
    {
        string connectionString;
        if (provider == DatabaseProvider.Postgres)
        {
            connectionString = await TestDatabase.Server.CreateDatabaseAsync("tokens");
        }
        else
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"tokens-{Guid.NewGuid():N}.db");
            connectionString = $"Data Source={_sqliteFile};Pooling=false";
        }

        Host = TokenServiceHost.Create(provider, connectionString);
        Client = Host.CreateClient();
    }

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
