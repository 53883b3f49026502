using TokenService.Tokens;

namespace TokenService.Api;

/// <summary>
/// The one answer for "come back shortly" (503 with <c>Retry-After</c>), whatever made the service unable to
/// serve: an RFC 6749-style <c>temporarily_unavailable</c> error at the OAuth endpoints (<c>/connect/*</c>, whose
/// clients expect that shape), RFC 9457 problem details everywhere else.
/// </summary>
public static class ServiceUnavailableResponse
{
    /// <summary>The OAuth endpoints: token, revocation, introspection.</summary>
    public const string OAuthPathPrefix = "/connect";

    public static async ValueTask<bool> WriteAsync(
        HttpContext httpContext, IProblemDetailsService problemDetails, Exception exception, TimeSpan retryAfter, string description)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(problemDetails);
        if (httpContext.Request.Path.StartsWithSegments(OAuthPathPrefix, StringComparison.Ordinal))
        {
            await new RetryLaterResult(StatusCodes.Status503ServiceUnavailable, retryAfter, description)
                .ExecuteAsync(httpContext).ConfigureAwait(false);
            return true;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryLaterResult.Seconds(retryAfter);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = description },
        }).ConfigureAwait(false);
    }
}
