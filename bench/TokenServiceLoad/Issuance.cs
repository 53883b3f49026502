using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using TestSupport;

/// <summary>
/// Scenario 3 of issue 8: client_credentials and refresh grants per second through the published token service on
/// PostgreSQL, each against the slower of two bounds measured in the same run: the raw RSA-2048 sign rate on every
/// core, and the SQL the grant runs, replayed directly with Npgsql at the same concurrency (a client_credentials grant
/// runs none: its client's record is cached). The SQL is printed as PostgreSQL logged it for one grant of each kind
/// (<c>log_statement = all</c>), so the replay can be checked against it.
/// </summary>
internal static class Issuance
{
    private const string Password = "bench-password-long-enough";
    private const string AppClient = "mobile-app";

    /// <summary>Measures the service in <paramref name="dll"/>; with <paramref name="baselineDll"/>, an earlier build too, in turns, in the same run.</summary>
    public static async Task<int> RunAsync(string dll, string? baselineDll, int seconds)
    {
        var concurrency = int.Parse(Environment.GetEnvironmentVariable("CONCURRENCY") ?? "8", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Environment.GetEnvironmentVariable("ROUNDS") ?? "2", CultureInfo.InvariantCulture);
        Console.WriteLine($"{Environment.ProcessorCount} cores; {concurrency} grants (or SQL replays) in flight; {seconds} s per measurement; " +
            $"{rounds} rounds; Accounts:LoginRateLimits lifted (the sessions are started by sign-ins of one user)" +
            (baselineDll is null ? "" : "; \"baseline\" is an earlier build of the token service, measured in turns with this one on its own database"));

        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("bench");
        await using var service = await Target.StartAsync("", dll, connectionString, concurrency);
        await using var baseline = baselineDll is null ? null : await Target.StartAsync(", baseline", baselineDll, await postgres.CreateDatabaseAsync("baseline"), concurrency);
        Target[] targets = baseline is null ? [service] : [service, baseline];
        var replaySessions = new string[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            replaySessions[i] = await SignInAsync(service.Http);
        }

        foreach (var target in targets)
        {
            // A few seconds of each grant under load, unmeasured, so the runtime has tiered up the hot paths before anything is timed.
            _ = await MeasureAsync($"warm-up: client_credentials grants{target.Label}", target.Process, 3, concurrency, target.ClientCredentialsWorker);
            _ = await MeasureAsync($"warm-up: refresh grants{target.Label}", target.Process, 3, concurrency, target.RefreshWorker);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Console.WriteLine();
        Console.WriteLine("Statements PostgreSQL logged for one grant of each kind (log_statement = all; parameters omitted):");
        Console.WriteLine();
        Console.WriteLine("```");
        Console.WriteLine(await CaptureStatementsAsync(postgres, service.Http, await SignInAsync(service.Http)));
        Console.WriteLine("```");
        // As the service connects (Database:PreparedStatements, default 64): the replay's statements are prepared as the service's are.
        await using var database = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64 }.ConnectionString);
        var replay = await GrantSql.PrepareAsync(database, replaySessions);

        // Token-sized payload: the signing input (header.payload) of a real access token.
        var accessToken = await ClientCredentialsAsync(service.Http) ?? throw new InvalidOperationException("client_credentials failed");
        var signingInput = Encoding.ASCII.GetBytes(accessToken[..accessToken.LastIndexOf('.')]);
        var phases = new List<Phase>();
        var script = await Wrk.WriteClientCredentialsScriptAsync();
        for (var round = 1; round <= rounds; round++)
        {
            phases.Add(await MeasureRsaAsync(signingInput, service.Process, seconds, round));
            foreach (var target in targets)
            {
                phases.Add(await MeasureAsync($"client_credentials grants{target.Label} ({round})", target.Process, seconds, concurrency, target.ClientCredentialsWorker));
                phases.Add(await MeasureWrkAsync($"client_credentials grants by wrk{target.Label} ({round})", target.Process, seconds, concurrency, script));
            }

            phases.Add(await MeasureAsync($"SQL of refresh, direct ({round})", service.Process, seconds, concurrency,
                worker => () => replay.RotateAsync(worker)));
            foreach (var target in targets)
            {
                phases.Add(await MeasureAsync($"refresh grants{target.Label} ({round})", target.Process, seconds, concurrency, target.RefreshWorker));
            }
        }

        File.Delete(script);
        Console.WriteLine();
        Console.WriteLine("| measurement | per second | failed | service cores | service CPU ms each | driver cores | machine cores (all processes) | load after |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var phase in phases)
        {
            Console.WriteLine($"| {phase.Name} | {phase.Rate:F0} | {phase.Failed} | {phase.ServiceCores:F2} | {1000 * phase.ServiceCores / phase.Rate:F2} | " +
                $"{phase.DriverCores:F2} | {phase.MachineCores:F2} | {phase.LoadAfter} |");
        }

        double Rate(string prefix) => phases.Where(p => p.Name.StartsWith(prefix + " (", StringComparison.Ordinal)).Average(p => p.Rate);
        var rsa = Rate($"RSA-2048 signs on {Environment.ProcessorCount} threads");
        Console.WriteLine();
        Console.WriteLine("| grant (mean of the rounds) | grants/s | RSA sign bound /s | SQL bound /s | **ratio to the slower bound** (target ≥ 0.7) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        // A client_credentials grant runs no SQL (its client's record is cached): RSA signing is its only bound.
        foreach (var (grant, rows, sql) in new[]
        {
            ("client_credentials", "client_credentials grants", double.PositiveInfinity),
            ("client_credentials by wrk", "client_credentials grants by wrk", double.PositiveInfinity),
            ("refresh", "refresh grants", Rate("SQL of refresh, direct")),
        })
        {
            foreach (var target in targets)
            {
                var rate = Rate(rows + target.Label);
                var bound = double.IsInfinity(sql) ? "none" : sql.ToString("F0", CultureInfo.InvariantCulture);
                Console.WriteLine($"| {grant}{target.Label} | {rate:F0} | {rsa:F0} | {bound} | **{rate / Math.Min(rsa, sql):F2}** |");
            }
        }

        return 0;
    }

    /// <summary>The raw sign rate: RSA PKCS#1 v1.5 SHA-256 signatures of the payload on one thread per core, one key per thread.</summary>
    private static Task<Phase> MeasureRsaAsync(byte[] payload, TokenServiceProcess service, int seconds, int round)
    {
        var keys = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => RSA.Create(2048)).ToArray();
        return MeasureAsync($"RSA-2048 signs on {keys.Length} threads ({round})", service, seconds, keys.Length, worker => () =>
        {
            _ = keys[worker].SignData(payload, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return Task.FromResult(true);
        });
    }

    private static async Task<Phase> MeasureAsync(
        string name, TokenServiceProcess service, int seconds, int workers, Func<int, Func<Task<bool>>> worker)
    {
        Console.Error.WriteLine($"measuring {name} ...");
        var before = CpuSnapshot.Take(service);
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(async () =>
        {
            var step = worker(i);
            var (ok, failed) = (0L, 0L);
            while (clock.Elapsed < deadline)
            {
                if (await step())
                {
                    ok++;
                }
                else
                {
                    failed++;
                }
            }

            return (ok, failed);
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var after = CpuSnapshot.Take(service);
        return Phase.Measured(name, results.Sum(r => r.ok) / elapsed, results.Sum(r => r.failed), before, after, elapsed);
    }

    /// <summary>
    /// client_credentials grants driven by wrk with <paramref name="connections"/> connections (as many as the HttpClient
    /// workers keep in flight): the same grants without the driver's own HTTP stack taking a share of the 2 cores.
    /// </summary>
    private static async Task<Phase> MeasureWrkAsync(string name, TokenServiceProcess service, int seconds, int connections, string script)
    {
        Console.Error.WriteLine($"measuring {name} ...");
        var before = CpuSnapshot.Take(service);
        var clock = Stopwatch.StartNew();
        using var wrk = Wrk.Start(new Uri(service.BaseAddress, "/connect/token"), connections, seconds, script);
        var output = wrk.StandardOutput.ReadToEndAsync();
        var errors = wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalSeconds;
        var after = CpuSnapshot.Take(service);
        var (rate, nonSuccess) = Wrk.Read(await output);
        return Phase.Measured(name, rate ?? throw new InvalidOperationException($"wrk failed: {await errors}"), nonSuccess, before, after, elapsed);
    }

    private static readonly AuthenticationHeaderValue ServiceClientBasic = new("Basic", TokenServiceProcess.OrdersServiceBasic);

    private static async Task<string?> ClientCredentialsAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/connect/token", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = ServiceClientBasic;
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? await Field(response, "access_token") : null;
    }

    private static async Task<string> SignInAsync(HttpClient http)
    {
        using var form = new FormUrlEncodedContent([
            new("grant_type", "password"), new("client_id", AppClient), new("username", "alice"), new("password", Password),
        ]);
        using var response = await http.PostAsync(new Uri("/connect/token", UriKind.Relative), form);
        return response.IsSuccessStatusCode
            ? await Field(response, "refresh_token")
            : throw new InvalidOperationException($"sign-in failed: {(int)response.StatusCode}");
    }

    private static async Task<string?> RefreshAsync(HttpClient http, string refreshToken)
    {
        using var form = new FormUrlEncodedContent([
            new("grant_type", "refresh_token"), new("client_id", AppClient), new("refresh_token", refreshToken),
        ]);
        using var response = await http.PostAsync(new Uri("/connect/token", UriKind.Relative), form);
        return response.IsSuccessStatusCode ? await Field(response, "refresh_token") : null;
    }

    private static async Task<string> Field(HttpResponseMessage response, string name)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return json.RootElement.GetProperty(name).GetString()!;
    }

    /// <summary>Logs every statement for one client_credentials and one refresh grant, and returns them from the server's log.</summary>
    private static async Task<string> CaptureStatementsAsync(PostgresServer postgres, HttpClient http, string refreshToken)
    {
        await using var admin = new NpgsqlConnection(postgres.ConnectionString("postgres"));
        await admin.OpenAsync();
        async Task Run(string sql)
        {
            await using var command = new NpgsqlCommand(sql, admin);
            await command.ExecuteNonQueryAsync();
        }

        // Each client's record read moments before, as under load: the logged grants are cache hits.
        _ = await ClientCredentialsAsync(http) ?? throw new InvalidOperationException("client_credentials failed");
        await Run("ALTER SYSTEM SET log_statement = 'all'");
        await Run("SELECT pg_reload_conf()");
        await Task.Delay(500);
        await Run("SELECT 'bench: one client_credentials grant'");
        _ = await ClientCredentialsAsync(http) ?? throw new InvalidOperationException("client_credentials failed");
        await Run("SELECT 'bench: one refresh grant'");
        _ = await RefreshAsync(http, refreshToken) ?? throw new InvalidOperationException("refresh failed");
        await Run("SELECT 'bench: end'");
        await Run("ALTER SYSTEM RESET log_statement");
        await Run("SELECT pg_reload_conf()");

        var lines = await File.ReadAllLinesAsync(postgres.LogPath);
        var start = Array.FindLastIndex(lines, l => l.Contains("bench: one client_credentials grant", StringComparison.Ordinal));
        var end = Array.FindLastIndex(lines, l => l.Contains("bench: end", StringComparison.Ordinal));
        var text = new StringBuilder();
        for (var i = start; i < end; i++)
        {
            var line = lines[i];
            if (line.Contains("DETAIL:  parameters:", StringComparison.Ordinal))
            {
                continue;
            }

            var log = line.IndexOf("LOG:  ", StringComparison.Ordinal);
            text.AppendLine(log >= 0 ? "-- " + line[(log + 6)..] : "   " + line);
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A token service under measurement: its process, a client for it, and one session per refresh worker.</summary>
    private sealed class Target(string label, TokenServiceProcess process, HttpClient http, string[] sessions) : IAsyncDisposable
    {
        public string Label { get; } = label;

        public TokenServiceProcess Process { get; } = process;

        public HttpClient Http { get; } = http;

        public static async Task<Target> StartAsync(string label, string dll, string connectionString, int concurrency)
        {
            var process = await TokenServiceProcess.StartAsync(dll, connectionString, Password);
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
            {
                BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(30),
            };
            var sessions = new string[concurrency];
            for (var i = 0; i < concurrency; i++)
            {
                sessions[i] = await SignInAsync(http);
            }

            return new Target(label, process, http, sessions);
        }

        public Func<Task<bool>> ClientCredentialsWorker(int worker) => async () => await ClientCredentialsAsync(Http) is not null;

        /// <summary>Worker i rotates session i: each refresh presents the token the previous one returned.</summary>
        public Func<Task<bool>> RefreshWorker(int worker) => async () =>
        {
            var next = await RefreshAsync(Http, sessions[worker]);
            sessions[worker] = next ?? sessions[worker];
            return next is not null;
        };

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Process.DisposeAsync();
        }
    }

    private sealed record Phase(string Name, double Rate, long Failed, double ServiceCores, double DriverCores, double MachineCores, string LoadAfter)
    {
        /// <summary>A measurement of <paramref name="elapsed"/> seconds between two CPU snapshots, logged as it ends.</summary>
        public static Phase Measured(string name, double rate, long failed, CpuSnapshot before, CpuSnapshot after, double elapsed)
        {
            var phase = new Phase(name, rate, failed,
                (after.Service - before.Service).TotalSeconds / elapsed, (after.Driver - before.Driver).TotalSeconds / elapsed,
                (after.MachineTicks - before.MachineTicks) / (double)CpuSnapshot.TicksPerSecond / elapsed,
                string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
            Console.Error.WriteLine($"{phase.Name}: {phase.Rate:F0}/s, {phase.Failed} failed, load {phase.LoadAfter}");
            return phase;
        }
    }

    /// <summary>What the driver spent: its own CPU time and that of its children that have exited (wrk).</summary>
    private readonly record struct CpuSnapshot(TimeSpan Service, TimeSpan Driver, long MachineTicks)
    {
        /// <summary>USER_HZ of /proc/stat: 100 on Linux.</summary>
        public const int TicksPerSecond = 100;

        public static CpuSnapshot Take(TokenServiceProcess service)
        {
            // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var busy = fields.Take(8).Sum() - fields[3] - fields[4];
            using var self = Process.GetCurrentProcess();
            return new CpuSnapshot(service.CpuTime(), self.TotalProcessorTime + ExitedChildren(), busy);
        }

        /// <summary>cutime + cstime of /proc/self/stat: the CPU of children waited for, in ticks.</summary>
        private static TimeSpan ExitedChildren()
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
            var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / (double)TicksPerSecond);
        }
    }
}
