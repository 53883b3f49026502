using System.Text.Json.Serialization;

namespace TokenService.Tokens;

/// <summary>Error codes of RFC 6749 §5.2 and RFC 8707 (<c>invalid_target</c>).</summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidTarget = "invalid_target";
}

/// <summary>An RFC 6749 §5.2 error response (not problem details: OAuth clients expect this shape).</summary>
public sealed class OAuthErrorResult(string error, string description, int statusCode = StatusCodes.Status400BadRequest, string? challenge = null)
    : IResult, IStatusCodeHttpResult
{
    public string Error { get; } = error;

    public string Description { get; } = description;

    public int StatusCode { get; } = statusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        OAuthHeaders.ApplyNoStore(response);
        if (challenge is not null)
        {
            response.Headers.WWWAuthenticate = challenge;
        }

        return response.WriteAsJsonAsync(new OAuthErrorBody(Error, Description));
    }

    private sealed record OAuthErrorBody(
        [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("error_description")] string Description);
}

/// <summary>The body of a successful token response (RFC 6749 §5.1).</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope,
    [property: JsonPropertyName("refresh_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken)
{
    public static TokenResponse For(IssuedAccessToken accessToken, IReadOnlyList<string> scopes, string? refreshToken = null)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        ArgumentNullException.ThrowIfNull(scopes);
        return new(accessToken.Token, "Bearer", (int)accessToken.Lifetime.TotalSeconds,
            scopes.Count > 0 ? string.Join(' ', scopes) : null, refreshToken);
    }
}

/// <summary>Answers with a token response, uncacheable.</summary>
public sealed class TokenResponseResult(TokenResponse response) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public TokenResponse Response { get; } = response;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        OAuthHeaders.ApplyNoStore(httpContext.Response);
        return httpContext.Response.WriteAsJsonAsync(Response);
    }
}

internal static class OAuthHeaders
{
    /// <summary>RFC 6749 §5.1: responses with tokens or credentials must not be cached.</summary>
    public static void ApplyNoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
