using System.Data.Common;

namespace TokenService.Data;

/// <summary>
/// A background pass over the store every <see cref="Interval"/>, measured from the end of the last one (no burst of
/// catch-up passes after a pause). Each pass runs in its own scope with its own <see cref="TokenDbContext"/>. A pass that
/// fails for the database's sake is logged and tried again next time.
/// </summary>
internal abstract partial class PeriodicCleanup(IServiceScopeFactory scopes, TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>One pass now.</summary>
    internal async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await CleanUpAsync(scope.ServiceProvider.GetRequiredService<TokenDbContext>(), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    protected abstract Task CleanUpAsync(TokenDbContext database, DateTimeOffset now, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            try
            {
                await CleanUpAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
            {
                LogCleanupFailed(logger, GetType().Name, exception);
            }
        }
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Cleanup} failed; it runs again at the next interval.")]
    private static partial void LogCleanupFailed(ILogger logger, string cleanup, Exception exception);
}
