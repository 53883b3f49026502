using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using TokenService.Api;

namespace TokenService.Data;

/// <summary>
/// Answers any request that failed because the database could not be reached or answered in time with 503 and
/// <c>Retry-After</c> (not 500): the store is briefly away, the caller should come back. Nothing was issued,
/// since every grant reads or writes the store before it answers.
/// </summary>
internal sealed partial class DatabaseUnavailableHandler(IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableHandler> logger)
    : IExceptionHandler
{
    /// <summary>What clients are told to wait before retrying.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const string QueryCanceled = "57014";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!IsUnavailability(exception))
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Path, exception.GetBaseException().Message);
        return await ServiceUnavailableResponse.WriteAsync(
            httpContext, problemDetails, exception, RetryAfter, "The service is temporarily unavailable. Try again shortly.")
            .ConfigureAwait(false);
    }

    /// <summary>
    /// True when the exception, or one it wraps (EF Core wraps provider errors), says the database is unreachable or
    /// too slow: the provider marks it transient (refused or broken connection, timeout, exhausted pool), or its
    /// SQLSTATE is a connection exception (class 08), an operator intervention such as a shutdown (57P) or a statement
    /// the server cancelled (57014: its <c>statement_timeout</c>, or an operator's <c>pg_cancel_backend</c>), or
    /// insufficient resources (53); or a SQLite file stayed busy or locked past the command timeout. Constraint
    /// violations, bad SQL and other bugs stay 500.
    /// </summary>
    public static bool IsUnavailability(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { IsTransient: true }
                || current is DbException { SqlState: { } state } && (state.StartsWith("08", StringComparison.Ordinal)
                    || state.StartsWith("57P", StringComparison.Ordinal) || state == QueryCanceled || state.StartsWith("53", StringComparison.Ordinal))
                || current is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked })
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Database unavailable; answered a request to {Path} with 503: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string path, string reason);
}
