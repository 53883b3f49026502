using Microsoft.AspNetCore.Diagnostics;
using TokenService.Tokens;

namespace TokenService.Passwords;

/// <summary>
/// Answers <see cref="PasswordHashingOverloadedException"/> with 503 and <c>Retry-After</c>: an RFC 6749-style
/// error at the token endpoint, problem details elsewhere.
/// </summary>
internal sealed partial class PasswordHashingOverloadHandler(IProblemDetailsService problemDetails, ILogger<PasswordHashingOverloadHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not PasswordHashingOverloadedException)
        {
            return false;
        }

        LogShed(logger, httpContext.Request.Path);
        var retryAfter = PasswordHashingOverloadedException.RetryAfter;
        if (httpContext.Request.Path.StartsWithSegments(TokenEndpoint.Path, StringComparison.Ordinal))
        {
            await new RetryLaterResult(StatusCodes.Status503ServiceUnavailable, retryAfter, "The service is busy. Try again shortly.")
                .ExecuteAsync(httpContext).ConfigureAwait(false);
            return true;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryLaterResult.Seconds(retryAfter);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "The service is busy. Try again shortly." },
        }).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "Password hashing at capacity; refused a request to {Path} with 503.")]
    private static partial void LogShed(ILogger logger, string path);
}
