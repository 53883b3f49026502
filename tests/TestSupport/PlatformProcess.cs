using System.Collections.Concurrent;
using System.Diagnostics;
namespace TestSupport;

/// <summary>
/// One of the platform's executables as an OS process: <c>dotnet &lt;App&gt;.dll</c> from the app project's own
/// build output, or a published executable (<see cref="Published"/>), run in its own directory (its appsettings.json
/// next to it, as in the image) with an environment that holds nothing but the given variables and what the runtime
/// needs to start (PATH, HOME). Stopped with SIGTERM (as the kubelet does) or SIGKILL; started again with the same
/// port and environment.
/// </summary>
public sealed class PlatformProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 300;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _fileName;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _directory;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    /// <summary><c>dotnet &lt;App&gt;.dll</c> from the build output of <paramref name="project"/> (a folder under the repository root).</summary>
    public PlatformProcess(string name, string project, int port, IReadOnlyDictionary<string, string> environment)
        : this(name, BuildOutput(project), viaDotnet: true, port, environment)
    {
    }

    /// <summary><paramref name="app"/> is the assembly run with <c>dotnet</c> (<paramref name="viaDotnet"/>) or the executable itself.</summary>
    private PlatformProcess(string name, string app, bool viaDotnet, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Port = port;
        _fileName = viaDotnet ? DotnetHost() : app;
        _arguments = viaDotnet ? [app] : [];
        _directory = Path.GetDirectoryName(app)!;
        _environment = environment;
    }

    /// <summary>A published executable (such as the native gateway) at <paramref name="path"/>.</summary>
    public static PlatformProcess Published(string name, string path, int port, IReadOnlyDictionary<string, string> environment) =>
        new(name, path, viaDotnet: false, port, environment);

    public string Name { get; }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>The variables the process starts with, less PATH and HOME.</summary>
    public IReadOnlyDictionary<string, string> Environment => _environment;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines the process wrote (standard output and error), for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>Starts the process and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync()
    {
        Launch();
        await WaitUntilReadyAsync().ConfigureAwait(false);
    }

    /// <summary>Runs the executable with arguments to completion (a one-off job such as <c>migrate</c>).</summary>
    public async Task RunToCompletionAsync(params string[] arguments)
    {
        var exitCode = await RunUntilExitAsync(arguments).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Name} {string.Join(' ', arguments)} exited with {exitCode}:\n{RecentOutput}");
        }
    }

    /// <summary>Runs the executable until it exits by itself and returns its exit code; killed and a failure if it still runs after the start timeout.</summary>
    public async Task<int> RunUntilExitAsync(params string[] arguments)
    {
        var process = Launch(arguments);
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
            throw new TimeoutException($"{Name} was still running after {StartTimeout}:\n{RecentOutput}");
        }

        return process.ExitCode;
    }

    public async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"{Name} exited with {_process?.ExitCode} before it was ready:\n{RecentOutput}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Address, "/health/ready")).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // too busy to answer yet
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"{Name} was not ready within {StartTimeout}:\n{RecentOutput}");
    }

    /// <summary>SIGTERM, as Kubernetes sends at the end of the grace period's preStop; returns once the process exited.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        using var wait = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        process.Kill();
        await process.WaitForExitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            await KillAsync().ConfigureAwait(false);
        }

        _process?.Dispose();
    }

    private Process Launch(params string[] arguments)
    {
        _process?.Dispose();
        var start = new ProcessStartInfo(_fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in _arguments.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var inherited in new[] { "PATH", "HOME", "DOTNET_ROOT" })
        {
            if (System.Environment.GetEnvironmentVariable(inherited) is { } value)
            {
                start.Environment[inherited] = value;
            }
        }

        start.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        return process;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
        {
        }
    }

    private static string DotnetHost() =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>src/…/&lt;Project&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;/&lt;Project&gt;.dll, the configuration and framework of the test's own build (…/bin/Debug/net10.0/).</summary>
    private static string BuildOutput(string project)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var name = Path.GetFileName(project);
        var path = Path.Combine(Repository.Root, project, "bin", output.Parent!.Name, output.Name, $"{name}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} was not built.", path);
    }
}
