using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace TokenClients.ClientCredentials;

/// <summary>
/// Holds one service identity's access token: fetched on first use, reused until shortly before it expires,
/// then replaced by exactly one request however many callers need it at that moment (single flight).
/// </summary>
public sealed class ClientCredentialsTokenSource(HttpClient tokenClient, ClientCredentialsOptions options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile CachedToken? _current;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_current is { } token && token.IsFresh(time.GetUtcNow()))
        {
            return token.Value;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } refreshed && refreshed.IsFresh(time.GetUtcNow()))
            {
                return refreshed.Value;
            }

            var fetched = await RequestAsync(cancellationToken).ConfigureAwait(false);
            _current = fetched;
            return fetched.Value;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private async Task<CachedToken> RequestAsync(CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (!string.IsNullOrWhiteSpace(options.Scope))
        {
            form["scope"] = options.Scope;
        }

        if (!string.IsNullOrWhiteSpace(options.Resource))
        {
            form["resource"] = options.Resource;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, options.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        // RFC 6749 §2.3.1: id and secret are form-url-encoded before Basic encoding.
        var credentials = $"{Uri.EscapeDataString(options.ClientId)}:{Uri.EscapeDataString(options.ClientSecret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

        var requestedAt = time.GetUtcNow();
        using var response = await tokenClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new TokenRequestException($"The token service refused the client_credentials request ({(int)response.StatusCode} {error}).", error);
        }

        var body = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken).ConfigureAwait(false);
        if (body is not { AccessToken: { Length: > 0 } accessToken, ExpiresIn: > 0 })
        {
            throw new TokenRequestException("The token service's response has no access token.");
        }

        return new CachedToken(accessToken, requestedAt.AddSeconds(body.ExpiresIn) - options.RefreshBeforeExpiry);
    }

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync<ErrorResponse>(cancellationToken).ConfigureAwait(false);
            return error?.Error;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt)
    {
        public bool IsFresh(DateTimeOffset now) => now < RefreshAt;
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);

    private sealed record ErrorResponse([property: JsonPropertyName("error")] string? Error);
}
