using NUnit.Framework;
using TestSupport;

namespace TokenService.Tests;

/// <summary>One throwaway PostgreSQL server for the whole test assembly; each fixture gets its own database.</summary>
[SetUpFixture]
public sealed class TestDatabase
{
    private static PostgresServer? _server;

    public static PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    [OneTimeSetUp]
    public async Task StartPostgres() => _server = await PostgresServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
