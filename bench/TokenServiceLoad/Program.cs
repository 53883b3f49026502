using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TestSupport;
using TokenService.Passwords;

// Scenarios 3 and 4 of issue 8 (see bench/README.md). Usage: TokenServiceLoad login|issuance <TokenService.dll> [seconds]
// Starts a throwaway PostgreSQL and the published token service as its own process (so its memory and CPU are its
// own), seeds the demo data, then measures password sign-ins against the bound cores ÷ one Argon2id hash (login),
// or client_credentials and refresh grants against the RSA sign rate and the same SQL run directly (issuance, Issuance.cs).
if (args.Length < 2 || args[0] is not ("login" or "issuance"))
{
    Console.Error.WriteLine("usage: TokenServiceLoad login|issuance <path to published TokenService.dll> [seconds] [issuance: baseline TokenService.dll]");
    return 2;
}

if (args[0] == "issuance")
{
    // TokenServiceLoad issuance <TokenService.dll> [seconds] [baseline TokenService.dll]
    return await Issuance.RunAsync(args[1], args.Length > 3 ? args[3] : null, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10);
}

var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
const string Password = "bench-password-long-enough";
const int WarmUpSeconds = 20; // of the throughput load, unmeasured, before the measured seconds
var hashing = new PasswordHashingOptions();

await using var postgres = await PostgresServer.StartAsync();
await using var service = await TokenServiceProcess.StartAsync(args[1], await postgres.CreateDatabaseAsync("bench"), Password);
using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
{
    BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(30),
};

Console.WriteLine($"Argon2id m={hashing.MemoryKiB} KiB t={hashing.Iterations} p={hashing.Parallelism}; " +
    $"Passwords:Hashing:MaxConcurrentHashes={hashing.MaxConcurrentHashes}, MaxQueuedHashes={hashing.MaxQueuedHashes}, MaxQueueWait={hashing.MaxQueueWait.TotalSeconds} s; " +
    $"{Environment.ProcessorCount} cores; Accounts:LoginRateLimits lifted to 1,000,000 per window for the bench");

var freshRss = service.ResidentMemory();

// Warm the service (JIT, pools, key cache) before anything is timed: a few sign-ins, then the throughput load itself for
// a while below, since the tiered JIT goes on compiling the hot path for seconds (before 2026-12-02 only these four ran,
// and the JIT's tier-1 thread took 8–10 % of the service's CPU during the measured sign-ins, still so after 10 s).
for (var i = 0; i < 4; i++)
{
    await Login(client, Password);
}

// The bound: one Argon2id verification alone, in this process, while the service idles.
var hasher = new Argon2idPasswordHasher(Options.Create(hashing));
var stored = hasher.Hash(Password);
var hashTimes = new List<double>();
for (var i = 0; i < 12; i++)
{
    var watch = Stopwatch.StartNew();
    _ = hasher.Verify(stored, Password);
    hashTimes.Add(watch.Elapsed.TotalMilliseconds);
}

var hashMs = Median(hashTimes.Skip(2).ToList());
var bound = Environment.ProcessorCount * 1000 / hashMs;

// For reference, not the bound: the same verification on every core at once (Argon2id is memory-hard, so hashes
// running side by side compete for memory bandwidth, and their page faults for the kernel).
var allCores = Stopwatch.StartNew();
Parallel.For(0, 6 * Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
    _ => hasher.Verify(stored, Password));
var allCoresRate = 6 * Environment.ProcessorCount / allCores.Elapsed.TotalSeconds;

// Throughput: enough sign-ins in flight to keep every hashing slot busy, none beyond the queue; first unmeasured
// (warm-up), then measured.
var workers = hashing.MaxConcurrentHashes + 2;
await SignInFor(TimeSpan.FromSeconds(WarmUpSeconds));
var cpuBefore = service.CpuTime();
var driverCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var clock = Stopwatch.StartNew();
var counts = await SignInFor(TimeSpan.FromSeconds(seconds));
var elapsed = clock.Elapsed.TotalSeconds;
var serviceCores = (service.CpuTime() - cpuBefore).TotalSeconds / elapsed;
var driverCores = (Process.GetCurrentProcess().TotalProcessorTime - driverCpuBefore).TotalSeconds / elapsed;
var rate = counts.GetValueOrDefault(200) / elapsed;

async Task<Dictionary<int, int>> SignInFor(TimeSpan duration)
{
    var answers = new Dictionary<int, int>();
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
    {
        while (watch.Elapsed < duration)
        {
            var status = (int)(await Login(client, Password)).Status;
            lock (answers)
            {
                answers[status] = answers.GetValueOrDefault(status) + 1;
            }
        }
    }));
    return answers;
}

Console.WriteLine();
Console.WriteLine("| measure | value |");
Console.WriteLine("| --- | ---: |");
Row("one Argon2id verification alone, median of 10 (ms)", hashMs.ToString("F1", CultureInfo.InvariantCulture));
Row("bound: cores ÷ hash time (sign-ins/s)", bound.ToString("F1", CultureInfo.InvariantCulture));
Row($"sign-ins/s through the service ({workers} in flight, {elapsed:F0} s)", rate.ToString("F1", CultureInfo.InvariantCulture));
Row("**ratio to the bound** (target ≥ 0.85)", (rate / bound).ToString("F2", CultureInfo.InvariantCulture));
Row($"for reference: verifications/s with {Environment.ProcessorCount} at once in this process; sign-ins/s ÷ that",
    string.Create(CultureInfo.InvariantCulture, $"{allCoresRate:F1}; {rate / allCoresRate:F2}"));
Row("answers by status", string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}")));
Row("CPU cores used: token service / this driver", $"{serviceCores:F2} / {driverCores:F2}");

// 200 sign-ins at once, three times (the first also opens the connections the burst needs, to the service and to
// PostgreSQL; the later ones find them open): peak memory above idle (the kernel's high-water mark, reset first),
// shedding, no timeouts.
var allowance = hashing.MaxConcurrentHashes * hashing.MemoryKiB / 1024.0 * 1.2;
Console.WriteLine();
Console.WriteLine($"200 concurrent sign-ins, 3 bursts 2 s apart; allowance for the peak above idle: MaxConcurrentHashes × hash memory × 1.2 = {allowance:F1} MiB");
Console.WriteLine();
Console.WriteLine("| burst | RSS idle before (MiB) | **peak RSS above idle (MiB)** | answers by status (0 = timed out after 30 s) | **shed (429/503) min / median / max ms** | served (200) min / median / max ms |");
Console.WriteLine("| --- | ---: | ---: | --- | --- | --- |");
string? shedBody = null;
for (var round = 1; round <= 3; round++)
{
    await Task.Delay(TimeSpan.FromSeconds(2));
    var idle = service.ResetPeakResidentMemory();
    var burst = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var (status, body) = await Login(client, Password);
            return (Status: (int)status, Ms: watch.Elapsed.TotalMilliseconds, Body: body);
        }
        catch (TaskCanceledException)
        {
            return (Status: 0, Ms: watch.Elapsed.TotalMilliseconds, Body: "");
        }
    }));
    var peak = service.PeakResidentMemory();
    var shed = burst.Where(b => b.Status is 429 or 503).Select(b => b.Ms).Order().ToList();
    var served = burst.Where(b => b.Status == 200).Select(b => b.Ms).Order().ToList();
    shedBody ??= burst.Where(b => b.Status is 429 or 503).Select(b => b.Body).FirstOrDefault();
    Console.WriteLine($"| {round} | {idle / 1024.0:F0} | {(peak - idle) / 1024.0:F1} | " +
        $"{string.Join(", ", burst.GroupBy(b => b.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))} | {Spread(shed)} | {Spread(served)} |");
}

Console.WriteLine();
Console.WriteLine($"A shed answer's body: `{shedBody ?? "none"}`");
await Memory.ReportAsync(service, freshRss, Math.Min(seconds, 10));
return 0;

static async Task<(HttpStatusCode Status, string Body)> Login(HttpClient client, string password)
{
    using var form = new FormUrlEncodedContent([
        new("grant_type", "password"), new("client_id", "mobile-app"), new("username", "alice"), new("password", password),
    ]);
    using var response = await client.PostAsync(new Uri("/connect/token", UriKind.Relative), form);
    return (response.StatusCode, await response.Content.ReadAsStringAsync());
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

static string Spread(List<double> sorted) => sorted.Count == 0 ? "none" : $"{sorted[0]:F0} / {Median(sorted):F0} / {sorted[^1]:F0}";

static void Row(string name, string value) => Console.WriteLine($"| {name} | {value} |");

/// <summary>The published token service as a child process on a free loopback port, with the demo seed on PostgreSQL.</summary>
internal sealed class TokenServiceProcess : IAsyncDisposable
{
    /// <summary>The demo seed's secret of the confidential client <c>orders-service</c> (client_credentials).</summary>
    public static readonly string OrdersServiceSecret = new('o', 40);

    /// <summary><c>orders-service</c> and its secret as the parameter of an HTTP Basic <c>Authorization</c> header (RFC 6749 §2.3.1).</summary>
    public static readonly string OrdersServiceBasic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"orders-service:{OrdersServiceSecret}"));

    private readonly Process _process;

    private TokenServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<TokenServiceProcess> StartAsync(string dll, string connectionString, string password)
    {
        var port = PostgresServer.FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_CONTENTROOT"] = Path.GetDirectoryName(Path.GetFullPath(dll))!,
            ["Database__Provider"] = "Postgres",
            ["Database__ConnectionString"] = connectionString,
            ["Database__MigrateOnStart"] = "true",
            ["Tokens__Issuer"] = "https://auth.bench",
            ["SigningKeys__KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["DemoSeed__Enabled"] = "true",
            ["DemoSeed__AdminPassword"] = password,
            ["DemoSeed__UserPassword"] = password,
            ["DemoSeed__OrdersServiceSecret"] = OrdersServiceSecret,
            ["DemoSeed__ReportingServiceSecret"] = new string('r', 40),
            // The bench signs in as one user from one address far more often than any human would.
            ["Accounts__LoginRateLimits__PerAddressPermitLimit"] = "1000000",
            ["Accounts__LoginRateLimits__PerAddressAndUserPermitLimit"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the token service.");
        process.OutputDataReceived += (_, e) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"token service: {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new TokenServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var probe = new HttpClient { BaseAddress = service.BaseAddress };
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var ready = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        await service.DisposeAsync();
        throw new InvalidOperationException("The token service did not become ready.");
    }

    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Resets the kernel's peak-RSS mark (clear_refs 5) and returns the current RSS in KiB.</summary>
    public long ResetPeakResidentMemory()
    {
        File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");
        return ResidentMemory();
    }

    /// <summary>RSS in KiB.</summary>
    public long ResidentMemory() => Status("VmRSS");

    /// <summary>Peak RSS in KiB since the last reset.</summary>
    public long PeakResidentMemory() => Status("VmHWM");

    private long Status(string field) =>
        long.Parse(File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
