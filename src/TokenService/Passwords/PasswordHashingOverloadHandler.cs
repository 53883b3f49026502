using Microsoft.AspNetCore.Diagnostics;
using TokenService.Api;

namespace TokenService.Passwords;

/// <summary>Answers <see cref="PasswordHashingOverloadedException"/> with 503 and <c>Retry-After</c>.</summary>
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
        return await ServiceUnavailableResponse.WriteAsync(
            httpContext, problemDetails, exception, PasswordHashingOverloadedException.RetryAfter, "The service is busy. Try again shortly.")
            .ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "Password hashing at capacity; refused a request to {Path} with 503.")]
    private static partial void LogShed(ILogger logger, string path);
}
