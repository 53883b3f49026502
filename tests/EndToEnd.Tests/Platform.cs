using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Gateway.Policies;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Inventory.Items;
using Orders.Ordering;
using TestSupport;
using TokenService.Tokens;

namespace EndToEnd.Tests;

/// <summary>
/// The whole system as it runs for real: token service on PostgreSQL, inventory, orders and the gateway, each
/// on its own 127.0.0.1 port, wired together only through configuration and HTTP.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-for-e2e";
    public const string UserPassword = "alice-password-for-e2e";
    public const string ReportingServiceSecret = "reporting-service-secret-for-e2e-0123456789";
    private const string OrdersServiceSecret = "orders-service-secret-for-e2e-0123456789";

    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly List<(string Name, Uri Address, IServiceProvider Services)> _processes = [];

    public Uri GatewayAddress { get; private set; } = null!;

    public Uri TokenServiceAddress { get; private set; } = null!;

    public Uri OrdersAddress { get; private set; } = null!;

    public Uri InventoryAddress { get; private set; } = null!;

    /// <summary>The token service's database, for tests that compare what it holds before and after.</summary>
    public string DatabaseConnectionString { get; private set; } = null!;

    /// <param name="postgres">The server the token service's database is created on.</param>
    /// <param name="tokenServiceSettings">Settings added to or replacing the token service's defaults.</param>
    /// <param name="beforeValidatorsStart">Runs once the token service is up, before the gateway and services start.</param>
    /// <param name="validatorSettings">Settings added to or replacing the defaults of the gateway, orders and inventory.</param>
    /// <param name="tokenServiceServices">Replaces services of the token service (e.g. its TimeProvider).</param>
    public static async Task<Platform> StartAsync(
        PostgresServer postgres, IReadOnlyDictionary<string, string>? tokenServiceSettings = null, Func<Uri, Task>? beforeValidatorsStart = null,
        IReadOnlyDictionary<string, string>? validatorSettings = null, Action<IServiceCollection>? tokenServiceServices = null)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var platform = new Platform();
        try
        {
            var gatewayPort = PostgresServer.FreePort();
            var issuer = $"http://127.0.0.1:{gatewayPort}";
            var connectionString = await postgres.CreateDatabaseAsync("platform");
            platform.DatabaseConnectionString = connectionString;

            var tokenService = new Dictionary<string, string>
            {
                ["Database:Provider"] = "Postgres",
                ["Database:ConnectionString"] = connectionString,
                ["Database:MigrateOnStart"] = "true",
                ["Tokens:Issuer"] = issuer,
                ["SigningKeys:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                // The gateway is the token service's proxy: its X-Forwarded-For names the client (sign-in limits, audit).
                ["ForwardedHeaders:TrustedProxies:0"] = "127.0.0.1",
                ["DemoSeed:Enabled"] = "true",
                ["DemoSeed:AdminPassword"] = AdminPassword,
                ["DemoSeed:UserPassword"] = UserPassword,
                ["DemoSeed:OrdersServiceSecret"] = OrdersServiceSecret,
                ["DemoSeed:ReportingServiceSecret"] = ReportingServiceSecret,
            };
            foreach (var (key, value) in tokenServiceSettings ?? new Dictionary<string, string>())
            {
                tokenService[key] = value;
            }

            platform.TokenServiceAddress = platform.Start<AccessTokenIssuer>("token-service", tokenService, replaceServices: tokenServiceServices);
            if (beforeValidatorsStart is not null)
            {
                await beforeValidatorsStart(platform.TokenServiceAddress);
            }

            var verification = new Dictionary<string, string>
            {
                ["TokenVerification:Authority"] = platform.TokenServiceAddress.ToString(),
                ["TokenVerification:Issuer"] = issuer,
                ["TokenVerification:AllowInsecureHttpMetadata"] = "true",
            };
            foreach (var (key, value) in validatorSettings ?? new Dictionary<string, string>())
            {
                verification[key] = value;
            }

            platform.InventoryAddress = platform.Start<InventoryStore>("inventory", new(verification));
            platform.OrdersAddress = platform.Start<OrderStore>("orders", new(verification)
            {
                ["Inventory:BaseAddress"] = platform.InventoryAddress.ToString(),
                ["ServiceIdentity:TokenEndpoint"] = new Uri(platform.TokenServiceAddress, "/connect/token").ToString(),
                ["ServiceIdentity:ClientSecret"] = OrdersServiceSecret,
                ["ServiceIdentity:AllowInsecureHttp"] = "true",
            });
            platform.GatewayAddress = platform.Start<RoutePolicy>("gateway", new(verification)
            {
                ["ReverseProxy:Clusters:token-service:Destinations:primary:Address"] = platform.TokenServiceAddress.ToString(),
                ["ReverseProxy:Clusters:orders:Destinations:primary:Address"] = platform.OrdersAddress.ToString(),
                ["ReverseProxy:Clusters:inventory:Destinations:primary:Address"] = platform.InventoryAddress.ToString(),
                // These tests send more from one address and one user than production limits allow; the limits
                // themselves are tested in Gateway.Tests.
                ["Gateway:RateLimits:PerSubject:PermitLimit"] = "100000",
                ["Gateway:RateLimits:PerAddress:PermitLimit"] = "100000",
                ["Gateway:RateLimits:TokenEndpoint:PermitLimit"] = "100000",
            }, gatewayPort);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Every route each process maps (its own endpoints and, for the gateway, its proxy routes), read from its routing.</summary>
    public IReadOnlyList<PlatformEndpoint> Endpoints() =>
    [
        .. _processes.SelectMany(process => process.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => new PlatformEndpoint(
                process.Name, process.Address, "/" + endpoint.RoutePattern.RawText?.TrimStart('/'),
                endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [],
                endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not null))),
    ];

    /// <summary>Records what one process (<c>gateway</c>, <c>orders</c>, <c>inventory</c>, <c>token-service</c>) measures on one instrument of its own meter from now on.</summary>
    public MetricCollector<T> Collect<T>(string process, string instrument)
        where T : struct
    {
        var services = Services(process);
        return new(services.GetRequiredService<IMeterFactory>(), services.GetRequiredService<IHostEnvironment>().ApplicationName, instrument);
    }

    /// <summary>The services of one process (<c>gateway</c>, <c>orders</c>, <c>inventory</c>, <c>token-service</c>).</summary>
    public IServiceProvider Services(string process) => _processes.Single(p => p.Name == process).Services;

    /// <summary>Every warning and error the processes logged so far, one each (with its exception's stack trace), for a test to print when it fails.</summary>
    public IEnumerable<string> LoggedProblems() =>
        _processes.SelectMany(process => process.Services.GetRequiredService<FakeLogCollector>().GetSnapshot()
            .Select(log => $"{process.Name} {log.Level} {log.Category}[{log.Id.Id}] {log.Message} {log.Exception}"));

    private Uri Start<TEntryPoint>(string name, Dictionary<string, string> settings, int port = 0, Action<IServiceCollection>? replaceServices = null)
        where TEntryPoint : class
    {
        var host = new ConfiguredHost<TEntryPoint>(settings, port, services =>
        {
            services.AddFakeLogging(options => options.FilteredLevels.UnionWith([LogLevel.Warning, LogLevel.Error, LogLevel.Critical]));
            replaceServices?.Invoke(services);
        });
        _hosts.Add(host);
        _processes.Add((name, host.BaseAddress, host.Services));
        return host.BaseAddress;
    }
}

/// <summary>One route of one process: its address, pattern (e.g. <c>/orders/{id:guid}</c>), methods (none: any) and whether it reads a body.</summary>
public sealed record PlatformEndpoint(string Process, Uri Address, string Pattern, IReadOnlyList<string> Methods, bool ReadsBody);
