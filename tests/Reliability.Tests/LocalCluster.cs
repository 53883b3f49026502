using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TestSupport;

namespace Reliability.Tests;

/// <summary>
/// The platform as the Kubernetes manifests deploy it, on loopback: an entry point (the Ingress) balancing over two
/// gateways; the gateways proxying to two token services, orders and inventory; a <c>token-service</c> Service
/// balancing over the token services for everything that calls the token service by its in-cluster name (key-set
/// fetches, orders' client_credentials token); one PostgreSQL shared by the token services, migrated once by the
/// migration job before they start.
///
/// Every process is configured only through environment variables, named as k8s/ names them (ConfigMaps
/// <c>platform-settings</c>, <c>resource-server-settings</c>, <c>gateway-settings</c>, <c>orders-settings</c>,
/// <c>token-service-settings</c>, the secrets, and the dev overlay's demo seed), with loopback addresses in place of
/// in-cluster names. <see cref="LocalOnlySettings"/> lists the few settings this topology adds, and why.
/// </summary>
public sealed partial class LocalCluster : IAsyncDisposable
{
    /// <summary>Settings that k8s/ does not set, each with the reason the loopback topology needs it.</summary>
    public static readonly IReadOnlyDictionary<string, string> LocalOnlySettings = new Dictionary<string, string>
    {
        ["ASPNETCORE_URLS"] = "the image listens on port 8080 (ASPNETCORE_HTTP_PORTS); on one machine each instance needs its own port",
        [$"{TokenServiceCluster}__Destinations__secondary__Address"] =
            "in the cluster the gateways reach every token-service pod through the token-service Service; here they balance over two destinations themselves",
        ["Gateway__RateLimits__PerSubject__PermitLimit"] = "every local client is the same demo user",
        ["Gateway__RateLimits__PerAddress__PermitLimit"] = "every local client comes from 127.0.0.1",
        ["Gateway__RateLimits__TokenEndpoint__PermitLimit"] = "every local client comes from 127.0.0.1",
        [$"{TokenServiceCluster}__HealthCheck__Passive__Enabled"] =
            "the scenarios kill and restart token services back to back; YARP's failure rate counts over a 60-second window, " +
            "so a restarted instance (and, after two incidents within a minute, both) would stay out of rotation and the " +
            "gateways answer 503 for everything. Without it a request sent to a dead instance gets 502, which clients retry",
        ["RefreshTokens__GracePeriod"] = "so that reuse after the grace window is tested without waiting 30 seconds",
    };

    public const string UserName = "alice";
    public const string MobileApp = "mobile-app";
    public const string OrdersServiceClient = "orders-service";

    /// <summary>
    /// The refresh-token grace period of this topology: shorter than production's 30 s so that reuse after the window is
    /// tested without a long wait, yet longer than a restarted token service takes to answer on a loaded machine, so a
    /// device retrying an answer lost in a kill -9 is still within it (as it is with production's window).
    /// </summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(15);

    private const string TokenServiceCluster = "ReverseProxy__Clusters__token-service";

    /// <summary>Database__ConnectionString as k8s/base/database-client.yaml writes it; the kubelet expands the references.</summary>
    private const string ConnectionStringTemplate =
        "Host=$(DATABASE_HOST);Port=$(DATABASE_PORT);Database=$(DATABASE_NAME);Username=$(DATABASE_USER);Password=$(DATABASE_PASSWORD);$(DATABASE_OPTIONS)";

    private readonly List<TcpLoadBalancer> _balancers = [];

    private LocalCluster(PostgresServer postgres, string connectionString)
    {
        Postgres = postgres;
        ConnectionString = connectionString;
    }

    public PostgresServer Postgres { get; }

    /// <summary>The token services' database, for the checks the scenarios make with SQL.</summary>
    public string ConnectionString { get; }

    public bool PostgresRunning { get; private set; } = true;

    /// <summary>The one address clients use.</summary>
    public TcpLoadBalancer EntryPoint { get; private set; } = null!;

    public IReadOnlyList<PlatformProcess> Gateways { get; private set; } = [];

    public IReadOnlyList<PlatformProcess> TokenServices { get; private set; } = [];

    public IReadOnlyList<PlatformProcess> Services { get; private set; } = [];

    public IEnumerable<PlatformProcess> All => [.. TokenServices, .. Services, .. Gateways];

    /// <summary>The demo user's password (dev overlay: secret <c>demo-seed</c>).</summary>
    public string UserPassword { get; } = Secret();

    /// <summary>The orders-service client's secret (secret <c>orders-client</c>).</summary>
    public string OrdersServiceSecret { get; } = Secret();

    public static async Task<LocalCluster> StartAsync(PostgresServer postgres)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var cluster = new LocalCluster(postgres, await postgres.CreateDatabaseAsync("reliability").ConfigureAwait(false));
        try
        {
            await cluster.CreateAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopPostgresAsync()
    {
        PostgresRunning = false;
        await Postgres.StopAsync().ConfigureAwait(false);
    }

    public async Task ResumePostgresAsync()
    {
        await Postgres.ResumeAsync().ConfigureAwait(false);
        PostgresRunning = true;
    }

    /// <summary>Brings back whatever a scenario stopped, and waits until every instance is ready.</summary>
    public async Task EnsureHealthyAsync()
    {
        if (!PostgresRunning)
        {
            await ResumePostgresAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(All.Select(process => process.IsRunning ? process.WaitUntilReadyAsync() : process.StartAsync())).ConfigureAwait(false);
    }

    /// <summary>The last lines every process wrote, each cut short, for a failing scenario's message.</summary>
    public string RecentOutput(int lines) => string.Join("\n\n", All.Select(p =>
        $"--- {p.Name}\n{string.Join('\n', p.RecentOutput.Split('\n').TakeLast(lines).Select(line => line.Length > 400 ? line[..400] + "…" : line))}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in All)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var balancer in _balancers)
        {
            await balancer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task CreateAsync()
    {
        int[] tokenServicePorts = [PostgresServer.FreePort(), PostgresServer.FreePort()];
        int[] gatewayPorts = [PostgresServer.FreePort(), PostgresServer.FreePort()];
        var ordersPort = PostgresServer.FreePort();
        var inventoryPort = PostgresServer.FreePort();
        var tokenServiceService = Balancer("token-service", tokenServicePorts);
        EntryPoint = Balancer("entry point", gatewayPorts);
        var issuer = EntryPoint.Address.ToString().TrimEnd('/');

        // configMapGenerator in k8s/base/kustomization.yaml (platform-settings), with the dev overlay's issuer idea:
        // the public base URL, here the entry point.
        Dictionary<string, string> platformSettings = new()
        {
            ["Tokens__Issuer"] = issuer,
            ["TokenVerification__Issuer"] = issuer,
            ["Logging__Console__FormatterName"] = "json",
            ["Shutdown__DrainDelay"] = "00:00:02", // 5 s in k8s/, shorter here to keep the run short
        };
        Dictionary<string, string> resourceServerSettings = new()
        {
            ["TokenVerification__Authority"] = Http(tokenServiceService.Port),
            ["TokenVerification__AllowInsecureHttpMetadata"] = "true",
        };
        Dictionary<string, string> gatewaySettings = new()
        {
            [$"{TokenServiceCluster}__Destinations__primary__Address"] = Http(tokenServicePorts[0]),
            [$"{TokenServiceCluster}__Destinations__secondary__Address"] = Http(tokenServicePorts[1]),
            ["ReverseProxy__Clusters__orders__Destinations__primary__Address"] = Http(ordersPort),
            ["ReverseProxy__Clusters__inventory__Destinations__primary__Address"] = Http(inventoryPort),
            ["Gateway__RateLimits__PerSubject__PermitLimit"] = "1000000",
            ["Gateway__RateLimits__PerAddress__PermitLimit"] = "1000000",
            ["Gateway__RateLimits__TokenEndpoint__PermitLimit"] = "1000000",
            [$"{TokenServiceCluster}__HealthCheck__Passive__Enabled"] = "false",
        };
        Dictionary<string, string> ordersSettings = new()
        {
            ["Inventory__BaseAddress"] = Http(inventoryPort),
            ["ServiceIdentity__TokenEndpoint"] = $"{Http(tokenServiceService.Port)}/connect/token",
            ["ServiceIdentity__AllowInsecureHttp"] = "true",
            ["ServiceIdentity__ClientSecret"] = OrdersServiceSecret, // secret orders-client
        };

        // token-service-settings, the database-client patch (the kubelet composes the connection string from the
        // DATABASE_* settings and the postgres-app-credentials secret), the token-service-keys secret and the dev
        // overlay's demo seed.
        var database = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        Dictionary<string, string> tokenServiceSettings = new()
        {
            ["Database__Provider"] = "Postgres",
            ["Database__MigrateOnStart"] = "false",
            ["DATABASE_HOST"] = database.Host!,
            ["DATABASE_PORT"] = database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATABASE_NAME"] = database.Database!,
            ["DATABASE_OPTIONS"] = "SSL Mode=Disable",
            ["DATABASE_USER"] = database.Username!,
            ["DATABASE_PASSWORD"] = "",
            ["Database__ConnectionString"] = ConnectionStringTemplate,
            ["SigningKeys__KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["DemoSeed__Enabled"] = "true",
            ["DemoSeed__AdminPassword"] = Secret(),
            ["DemoSeed__UserPassword"] = UserPassword,
            ["DemoSeed__ReportingServiceSecret"] = Secret(),
            ["DemoSeed__OrdersServiceSecret"] = OrdersServiceSecret,
            ["RefreshTokens__GracePeriod"] = GracePeriod.ToString(),
        };
        tokenServiceSettings["Database__ConnectionString"] = VariableReference().Replace(
            ConnectionStringTemplate, reference => tokenServiceSettings[reference.Groups[1].Value]);

        TokenServices =
        [
            .. tokenServicePorts.Select((port, i) => new PlatformProcess(
                $"token-service-{i + 1}", "src/TokenService", port, Merge(platformSettings, tokenServiceSettings))),
        ];
        Services =
        [
            new PlatformProcess("orders", "src/SampleServices/Orders", ordersPort, Merge(platformSettings, resourceServerSettings, ordersSettings)),
            new PlatformProcess("inventory", "src/SampleServices/Inventory", inventoryPort, Merge(platformSettings, resourceServerSettings)),
        ];
        Gateways =
        [
            .. gatewayPorts.Select((port, i) => new PlatformProcess(
                $"gateway-{i + 1}", "src/Gateway", port, Merge(platformSettings, resourceServerSettings, gatewaySettings))),
        ];

        // The migration Job (`TokenService migrate`) runs once per release, before the replicas start.
        await using (var migration = new PlatformProcess(
            "token-service-migrate", "src/TokenService", PostgresServer.FreePort(), Merge(platformSettings, tokenServiceSettings)))
        {
            await migration.RunToCompletionAsync("migrate").ConfigureAwait(false);
        }

        await Task.WhenAll(TokenServices.Select(p => p.StartAsync())).ConfigureAwait(false);
        await Task.WhenAll(Services.Concat(Gateways).Select(p => p.StartAsync())).ConfigureAwait(false);
    }

    private TcpLoadBalancer Balancer(string name, IReadOnlyList<int> ports)
    {
        var balancer = new TcpLoadBalancer(name, ports);
        _balancers.Add(balancer);
        return balancer;
    }

    private static string Http(int port) => $"http://127.0.0.1:{port}";

    private static Dictionary<string, string> Merge(params Dictionary<string, string>[] sources) =>
        sources.SelectMany(source => source).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    [GeneratedRegex(@"\$\(([A-Z_]+)\)")]
    private static partial Regex VariableReference();
}
