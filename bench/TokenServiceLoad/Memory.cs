using System.Globalization;

/// <summary>
/// Scenario 5 of issue 8 for the token service: its resident memory under 1,000 concurrent connections (wrk), once
/// on the JWKS (the cheapest endpoint: what gateways and services poll) and once with client_credentials grants
/// (an RS256 token signed per request; the client's record from the service's cache).
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
        var script = await Wrk.WriteClientCredentialsScriptAsync();
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
        using var wrk = Wrk.Start(new Uri(service.BaseAddress, path), 1000, seconds, script);
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
        var (rate, bad) = Wrk.Read(await output);
        Console.WriteLine($"| {name} | {rate?.ToString("F0", CultureInfo.InvariantCulture) ?? $"wrk failed: {(await errors).Trim()}"} | {bad} | {Mib(before)} | {Mib(peak)} | {Mib(after)} |");
    }

    private static string Mib(long kib) => (kib / 1024.0).ToString("F0", CultureInfo.InvariantCulture);
}
