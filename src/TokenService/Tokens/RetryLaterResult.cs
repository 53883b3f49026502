using System.Globalization;

namespace TokenService.Tokens;

/// <summary>
/// An RFC 6749-style error telling the client to come back later: 429 (too many attempts) or 503 (overloaded),
/// with <c>Retry-After</c> in whole seconds.
/// </summary>
public sealed class RetryLaterResult(int statusCode, TimeSpan retryAfter, string description) : IResult, IStatusCodeHttpResult
{
    public const string Error = "temporarily_unavailable";

    public int StatusCode { get; } = statusCode;

    public TimeSpan RetryAfter { get; } = retryAfter;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public static string Seconds(TimeSpan retryAfter) =>
        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.RetryAfter = Seconds(RetryAfter);
        return new OAuthErrorResult(Error, description, StatusCode).ExecuteAsync(httpContext);
    }
}
