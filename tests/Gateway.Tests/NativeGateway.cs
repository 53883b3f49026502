using System.Diagnostics;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// The gateway as it ships: published ahead of time to a native executable (<c>PublishAot</c> in Gateway.csproj, the
/// same <c>dotnet publish</c> as src/Dockerfile's; once per test run, which takes a minute or two) and run as a
/// <see cref="PlatformProcess"/> of its own, with its settings as environment variables.
/// </summary>
internal static class NativeGateway
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The directory of the published executable and its appsettings.json.</summary>
    public static Task<string> DirectoryAsync() => Published.Value;

    /// <summary>The published gateway with <paramref name="settings"/> (configuration keys), on a free loopback port; not started.</summary>
    public static async Task<PlatformProcess> CreateAsync(IReadOnlyDictionary<string, string> settings) => PlatformProcess.Published(
        "native-gateway", Path.Combine(await DirectoryAsync(), "Gateway"), PostgresServer.FreePort(),
        settings.ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value));

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
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(directory, "Gateway")))
        {
            throw new InvalidOperationException($"dotnet publish of the gateway failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }

        return directory;
    }
}
