using NUnit.Framework;

namespace TestSupport;

/// <summary>
/// One throwaway PostgreSQL server for a whole test assembly; fixtures create their own databases on it. An
/// assembly declares <c>[SetUpFixture] public sealed class TestDatabase : SharedPostgresServer&lt;TestDatabase&gt;;</c>
/// in its root namespace.
/// </summary>
public abstract class SharedPostgresServer<TAssemblyFixture>
    where TAssemblyFixture : SharedPostgresServer<TAssemblyFixture>
{
    private static PostgresServer? _server;

    public static PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    [OneTimeSetUp]
    public async Task StartPostgres() => _server = await PostgresServer.StartAsync().ConfigureAwait(false);

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
