using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Data;

namespace TokenService.RefreshTokens;

/// <summary>
/// Deletes what no refresh can use any more, in short statements that never hold locks refreshes need:
/// grace responses past the grace period, expired tokens, and sessions ended longer ago than the retention.
/// </summary>
internal sealed partial class RefreshTokenCleanup(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<RefreshTokenOptions> options, ILogger<RefreshTokenCleanup> logger)
    : PeriodicCleanup(scopes, time, logger)
{
    protected override TimeSpan Interval => options.Value.CleanupInterval;

    protected override async Task CleanUpAsync(TokenDbContext database, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var graceEnded = now - settings.GracePeriod;
        var retentionEnded = now - settings.RetainEndedSessionsFor;
        var absoluteEnded = retentionEnded - settings.AbsoluteLifetime;
        var cleared = await database.RefreshTokens
            .Where(t => t.GraceResponse != null && t.ConsumedAt < graceEnded)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.GraceResponse, (byte[]?)null), cancellationToken).ConfigureAwait(false);
        var expired = await database.RefreshTokens
            .Where(t => t.ExpiresAt < retentionEnded)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var ended = await database.RefreshTokenFamilies
            .Where(f => f.RevokedAt < retentionEnded || f.CreatedAt < absoluteEnded)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        LogCleanedUp(logger, cleared, expired, ended);
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information,
        Message = "Refresh-token cleanup: {GraceResponses} grace responses cleared, {Tokens} expired tokens and {Sessions} ended sessions deleted.")]
    private static partial void LogCleanedUp(ILogger logger, int graceResponses, int tokens, int sessions);
}
