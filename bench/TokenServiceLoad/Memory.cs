using System.Diagnostics;
using System.Globalization;
using System.Text;

/// <summary>
/// Scenario 5 of issue 8 for the token service: its resident memory under 1,000 concurrent connections (wrk), once
/// on the JWKS (the cheapest endpoint: what gateways and services poll) and once with client_credentials grants
/// (an RS256 token signed per request, the client read from PostgreSQL).
/// </summary>
internal static class Memory
{
    public static async Task ReportAsync(TokenServiceProcess service, long freshRssKiB, int seconds)
    {
        Console.WriteLine();
        Console.WriteLine($"Token-service memory (scenario 5): wrk -t1 -c1000 -d{seconds}s, RSS sampled every 0.2 s");
        Console.WriteLine();
        Console.WriteLine("| load | req/s | non-2xx | RSS before (MiB) | **peak RSS (MiB)** | RSS 2 s after (MiB) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| idle, just started and migrated | | | {Mib(freshRssKiB)} | | |");
        var script = Path.Combine(Path.GetTempPath(), $"client-credentials-{Environment.ProcessId}.lua");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"orders-service:{TokenServiceProcess.OrdersServiceSecret}"));
        await File.WriteAllTextAsync(script, $"""
            wrk.method = "POST"
            wrk.body = "grant_type=client_credentials"
            wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
            wrk.headers["Authorization"] = "Basic {basic}"
            """);
        try
        {
            await RunAsync(service, "1,000 connections, GET /.well-known/jwks.json", "/.well-known/jwks.json", null, seconds);
            await RunAsync(service, "1,000 connections, client_credentials grants", "/connect/token", script, seconds);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task RunAsync(TokenServiceProcess service, string name, string path, string? script, int seconds)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = service.ResidentMemory();
        var start = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t1", "-c1000", $"-d{seconds}s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (script is not null)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(script);
        }

        start.ArgumentList.Add(new Uri(service.BaseAddress, path).ToString());
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk (bench/bench.sh installs it).");
        var output = wrk.StandardOutput.ReadToEndAsync();
        var errors = wrk.StandardError.ReadToEndAsync();
        var peak = before;
        while (!wrk.HasExited)
        {
            peak = Math.Max(peak, service.ResidentMemory());
            await Task.Delay(200);
        }

        await wrk.WaitForExitAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = service.ResidentMemory();
        var lines = (await output).Split('\n');
        var rate = lines.FirstOrDefault(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? $"wrk failed: {(await errors).Trim()}";
        var bad = lines.FirstOrDefault(l => l.Contains("Non-2xx", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "0";
        Console.WriteLine($"| {name} | {rate} | {bad} | {Mib(before)} | {Mib(peak)} | {Mib(after)} |");
    }

    private static string Mib(long kib) => (kib / 1024.0).ToString("F0", CultureInfo.InvariantCulture);
}
