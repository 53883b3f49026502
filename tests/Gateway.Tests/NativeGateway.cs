using System.Diagnostics;
using System.Text;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// The gateway as it ships: published ahead of time to a native executable (<c>PublishAot</c> in Gateway.csproj, the
/// same <c>dotnet publish</c> as src/Dockerfile's; once per test run, which takes a minute or two) and run as a process
/// of its own, with its settings as environment variables and its health and metrics on a management port.
/// </summary>
internal sealed class NativeGateway : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private NativeGateway(Process process, StringBuilder output, Uri baseAddress, Uri managementAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        ManagementAddress = managementAddress;
    }

    public Uri BaseAddress { get; }

    public Uri ManagementAddress { get; }

    /// <summary>What the process has written so far, for failure messages.</summary>
    public string Output => Text(_output);

    /// <summary>The directory of the published executable and its appsettings.json.</summary>
    public static Task<string> DirectoryAsync() => Published.Value;

    /// <summary>Starts the published gateway with <paramref name="settings"/> and waits until it is ready.</summary>
    public static async Task<NativeGateway> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var (process, output, baseAddress, managementAddress) = await LaunchAsync(settings);
        var gateway = new NativeGateway(process, output, baseAddress, managementAddress);
        await gateway.WaitUntilReadyAsync();
        return gateway;
    }

    /// <summary>Runs the published gateway with <paramref name="settings"/> until it exits by itself; its exit code and output. Fails if it is still running after the start timeout.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(IReadOnlyDictionary<string, string> settings)
    {
        var (process, output, _, _) = await LaunchAsync(settings);
        using var owned = process;
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"The native gateway was still running after {StartTimeout}:\n{Text(output)}");
        }

        return (process.ExitCode, Text(output));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>Starts the executable with <paramref name="settings"/>, listening on free loopback ports.</summary>
    private static async Task<(Process Process, StringBuilder Output, Uri BaseAddress, Uri ManagementAddress)> LaunchAsync(
        IReadOnlyDictionary<string, string> settings)
    {
        var directory = await DirectoryAsync();
        var baseAddress = new Uri($"http://127.0.0.1:{PostgresServer.FreePort()}");
        var managementAddress = new Uri($"http://127.0.0.1:{PostgresServer.FreePort()}");
        var start = new ProcessStartInfo(Path.Combine(directory, "Gateway")) { WorkingDirectory = directory };
        start.Environment["ASPNETCORE_CONTENTROOT"] = directory;
        var all = new Dictionary<string, string>(settings)
        {
            ["urls"] = baseAddress.ToString(),
            ["Management:Port"] = $"{managementAddress.Port}",
        };
        foreach (var (key, value) in all)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return (Run(start, out var output), output, baseAddress, managementAddress);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var management = new HttpClient { BaseAddress = ManagementAddress };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout && !_process.HasExited)
        {
            try
            {
                using var response = await management.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await DisposeAsync();
        throw new InvalidOperationException($"The native gateway did not become ready within {StartTimeout}:\n{Output}");
    }

    private static async Task<string> PublishAsync()
    {
        var directory = Directory.CreateTempSubdirectory("native-gateway-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        // No build servers or reused nodes: they would outlive the publish holding its output pipes open.
        var publish = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "publish", Repository.PathOf("src/Gateway/Gateway.csproj"), "--configuration", "Release", "--output", directory,
                "--nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false",
            },
            Environment = { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" },
        };
        using var process = Run(publish, out var output);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(directory, "Gateway")))
        {
            throw new InvalidOperationException($"dotnet publish of the gateway failed ({process.ExitCode}):\n{Text(output)}");
        }

        return directory;
    }

    private static Process Run(ProcessStartInfo start, out StringBuilder output)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var collected = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(collected, line.Data);
        process.ErrorDataReceived += (_, line) => Append(collected, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = collected;
        return process;
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
