using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>One throwaway PostgreSQL server for the whole assembly; each fixture's platform gets its own database.</summary>
[SetUpFixture]
public sealed class TestDatabase : SharedPostgresServer<TestDatabase>;

/// <summary>A whole platform per fixture, and a mobile app pointed at its gateway.</summary>
public abstract class PlatformFixture
{
    protected Platform Platform { get; private set; } = null!;

    protected MobileApp App { get; private set; } = null!;

    /// <summary>Token-service settings a fixture changes.</summary>
    protected virtual IReadOnlyDictionary<string, string>? TokenServiceSettings => null;

    /// <summary>Settings a fixture changes for the gateway, orders and inventory.</summary>
    protected virtual IReadOnlyDictionary<string, string>? ValidatorSettings => null;

    /// <summary>Token-service services a fixture replaces (e.g. its TimeProvider).</summary>
    protected virtual Action<IServiceCollection>? TokenServiceServices => null;

    /// <summary>Runs once the token service is up, before the gateway and services start.</summary>
    protected virtual Task BeforeValidatorsStartAsync(Uri tokenService) => Task.CompletedTask;

    [OneTimeSetUp]
    public async Task StartPlatform()
    {
        Platform = await Platform.StartAsync(TestDatabase.Server, TokenServiceSettings, BeforeValidatorsStartAsync, ValidatorSettings, TokenServiceServices);
        App = new MobileApp(Platform.GatewayAddress);
    }

    /// <summary>A failed test prints every warning and error the processes logged: the server side of what the test saw.</summary>
    [TearDown]
    public void PrintLoggedProblemsOfAFailedTest()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"what the processes logged (warnings and errors):{Environment.NewLine}{string.Join(Environment.NewLine, Platform.LoggedProblems())}");
        }
    }

    [OneTimeTearDown]
    public async Task StopPlatform()
    {
        App.Dispose();
        await Platform.DisposeAsync();
    }
}
