using System.Diagnostics;
using System.Text;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// The gateway as it ships: published ahead of time to a native executable (<c>PublishAot</c> in Gateway.csproj, the
/// same <c>dotnet publish</c> as src/Dockerfile's) and run as a process of its own with settings from its environment.
/// </summary>
internal static class NativeGateway
{
    /// <summary>Publishes the gateway into <paramref name="directory"/>; fails with the build's output if the publish fails.</summary>
    public static async Task PublishAsync(string directory)
    {
        var project = Repository.PathOf("src/Gateway/Gateway.csproj");
        // No build servers or reused nodes: they would outlive the publish holding its output pipes open.
        var publish = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", project, "--configuration", "Release", "--output", directory, "--nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false" },
            Environment = { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" },
        };
        using var process = Run(publish, out var output);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(ExecutablePath(directory)))
        {
            throw new InvalidOperationException($"dotnet publish of the gateway failed ({process.ExitCode}):\n{output}");
        }
    }

    public static string ExecutablePath(string directory) => Path.Combine(directory, "Gateway");

    /// <summary>Starts the published gateway with <paramref name="settings"/> (configuration keys) as environment variables.</summary>
    public static Process Start(string directory, IReadOnlyDictionary<string, string> settings, out StringBuilder output)
    {
        var start = new ProcessStartInfo(ExecutablePath(directory)) { WorkingDirectory = directory };
        start.Environment["ASPNETCORE_CONTENTROOT"] = directory;
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return Run(start, out output);
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
