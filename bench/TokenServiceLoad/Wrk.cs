using System.Diagnostics;
using System.Globalization;

/// <summary>
/// wrk (Debian's package; bench/bench.sh installs it) against the token service: a lighter load generator than the
/// driver's HttpClient, which spends 0.2 of the machine's 2 cores on its own HTTP stack during client_credentials grants.
/// </summary>
internal static class Wrk
{
    /// <summary>A wrk script posting client_credentials grants as <c>orders-service</c> (HTTP Basic); delete it after use.</summary>
    public static async Task<string> WriteClientCredentialsScriptAsync()
    {
        var script = Path.Combine(Path.GetTempPath(), $"client-credentials-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, $"""
            wrk.method = "POST"
            wrk.body = "grant_type=client_credentials"
            wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
            wrk.headers["Authorization"] = "Basic {TokenServiceProcess.OrdersServiceBasic}"
            """);
        return script;
    }

    /// <summary>Starts <c>wrk -t1 -c<paramref name="connections"/> -d<paramref name="seconds"/>s</c>, with <paramref name="script"/> if given.</summary>
    public static Process Start(Uri url, int connections, int seconds, string? script)
    {
        var start = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t1", $"-c{connections}", $"-d{seconds}s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (script is not null)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(script);
        }

        start.ArgumentList.Add(url.ToString());
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk (bench/bench.sh installs it).");
    }

    /// <summary>Requests/s and the count of non-2xx answers from wrk's report; null rate if wrk printed none.</summary>
    public static (double? Rate, long NonSuccess) Read(string output)
    {
        var lines = output.Split('\n');
        var rate = lines.FirstOrDefault(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal))?.Split(':')[1].Trim();
        var bad = lines.FirstOrDefault(l => l.Contains("Non-2xx", StringComparison.Ordinal))?.Split(':')[1].Trim();
        return (rate is null ? null : double.Parse(rate, CultureInfo.InvariantCulture), bad is null ? 0 : long.Parse(bad, CultureInfo.InvariantCulture));
    }
}
