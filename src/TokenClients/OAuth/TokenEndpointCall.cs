using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using TokenClients.AppTokens;
using TokenClients.ClientCredentials;

namespace TokenClients.OAuth;

/// <summary>
/// A successful RFC 6749 §5.1 token response, with the lifetime turned into instants counted from when the request was
/// sent (<c>RequestedAt</c>), so network time never makes a token look fresher than it is.
/// </summary>
internal sealed record IssuedTokens(string AccessToken, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt, string? RefreshToken, string? Scope)
{
    /// <summary>
    /// When to replace the access token: <paramref name="margin"/> before it expires, but never earlier than half-way
    /// through its lifetime, so a token that lives shorter than the margin is still reused instead of being fetched
    /// again for every request.
    /// </summary>
    public DateTimeOffset RefreshAt(TimeSpan margin) => RefreshMoment(RequestedAt, ExpiresAt, margin);

    /// <inheritdoc cref="RefreshAt"/>
    public static DateTimeOffset RefreshMoment(DateTimeOffset requestedAt, DateTimeOffset expiresAt, TimeSpan margin)
    {
        var halfway = requestedAt + ((expiresAt - requestedAt) / 2);
        var early = expiresAt - margin;
        return early > halfway ? early : halfway;
    }
}

/// <summary>
/// One POST to a token endpoint and the reading of its answer: RFC 6749 §5.1 success or §5.2 error.
/// Error messages carry the status and the OAuth error code only, never the request's credentials or tokens.
/// </summary>
internal static class TokenEndpointCall
{
    public static async Task<IssuedTokens> SendAsync(
        HttpClient http, HttpRequestMessage request, string grantType, TimeProvider time, CancellationToken cancellationToken)
    {
        var requestedAt = time.GetUtcNow();
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await ThrowIfErrorAsync(response, $"the {grantType} request", cancellationToken).ConfigureAwait(false);

        var body = await ReadBodyAsync<SuccessBody>(response, cancellationToken).ConfigureAwait(false);
        if (body is not { AccessToken: { Length: > 0 } accessToken, ExpiresIn: > 0 })
        {
            throw new TokenRequestException($"The token service's answer to the {grantType} request has no access token.");
        }

        return new IssuedTokens(accessToken, requestedAt, requestedAt.AddSeconds(body.ExpiresIn), body.RefreshToken, body.Scope);
    }

    /// <summary>
    /// Throws a <see cref="TokenRequestException"/> with the OAuth error code for any non-success answer, or a
    /// <see cref="MfaRequiredException"/> for <c>mfa_required</c> with its <c>mfa_token</c>.
    /// </summary>
    public static async Task ThrowIfErrorAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await ReadBodyAsync<ErrorBody>(response, cancellationToken).ConfigureAwait(false);
        if (body is { Error: MfaRequiredError, MfaToken: { Length: > 0 } mfaToken })
        {
            throw new MfaRequiredException(mfaToken);
        }

        var error = body?.Error;
        throw new TokenRequestException(
            $"The token service refused {what} ({(int)response.StatusCode} {error ?? "without an OAuth error code"}).", error, response.StatusCode);
    }

    private static async Task<T?> ReadBodyAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            // Not JSON at all (e.g. an HTML error page from a proxy).
            return null;
        }
    }

    private sealed record SuccessBody(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("scope")] string? Scope);

    private const string MfaRequiredError = "mfa_required";

    private sealed record ErrorBody(
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("mfa_token")] string? MfaToken);
}
