using TokenService.Data;
using TokenService.OperatorBootstrap;

namespace TokenService.Commands;

/// <summary>The one-off commands the token service's image runs instead of serving (as Kubernetes Jobs).</summary>
public static class CommandLine
{
    /// <summary>
    /// Runs the command named by the first argument and returns true (a failed command sets the exit code 1), or
    /// returns false when there is none, so the service starts:
    /// <c>migrate</c> applies the EF Core migrations once per release;
    /// <c>bootstrap-admin</c> ensures the first operator from <c>BootstrapAdmin</c> settings (<see cref="AdminBootstrap"/>).
    /// </summary>
    public static async Task<bool> TryRunCommandAsync(this WebApplication app, string[] args)
    {
        ArgumentNullException.ThrowIfNull(app);
        switch (args)
        {
            case ["migrate", ..]:
                await app.Services.MigrateTokenDatabaseAsync(CancellationToken.None).ConfigureAwait(false);
                return true;
            case ["bootstrap-admin", ..]:
                Environment.ExitCode = await app.Services.BootstrapAdminAsync(CancellationToken.None).ConfigureAwait(false) ? 0 : 1;
                return true;
            default:
                return false;
        }
    }
}
