using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Data;

namespace TokenService.Accounts;

/// <summary>Deletes counted sign-in attempts that have left the rate limits' window, once per window.</summary>
internal sealed partial class SignInAttemptCleanup(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<LoginRateLimitOptions> options, ILogger<SignInAttemptCleanup> logger)
    : PeriodicCleanup(scopes, time, logger)
{
    protected override TimeSpan Interval => options.Value.Window;

    protected override async Task CleanUpAsync(TokenDbContext database, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var windowStart = now - options.Value.Window;
        var deleted = await database.SignInAttempts.Where(a => a.At <= windowStart).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        LogCleanedUp(logger, deleted);
    }

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Sign-in attempt cleanup: {Attempts} attempts past the window deleted.")]
    private static partial void LogCleanedUp(ILogger logger, int attempts);
}
