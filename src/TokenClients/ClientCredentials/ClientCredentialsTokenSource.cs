using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TokenClients.OAuth;

namespace TokenClients.ClientCredentials;

/// <summary>
/// Holds one service identity's access token for one audience/scope: fetched on first use, reused until shortly
/// before it expires, then replaced by exactly one request however many callers need it at that moment (single flight).
/// While the token service cannot answer, a token still valid is used until it expires (replacement retried every
/// <see cref="ClientCredentialsOptions.RefreshRetryDelay"/>), so an outage shorter than the margin goes unnoticed.
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

            CachedToken fetched;
            try
            {
                fetched = await RequestAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsUnavailable(exception, cancellationToken) && _current is { } held && time.GetUtcNow() < held.ExpiresAt)
            {
                // The token service is down or overloaded (e.g. its database is): the token held is still valid, so
                // calls go on with it; replacing it is tried again after the retry delay, not by every caller.
                _current = held with { RefreshAt = Earlier(time.GetUtcNow() + options.RefreshRetryDelay, held.ExpiresAt) };
                return held.Value;
            }

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

        var issued = await TokenEndpointCall.SendAsync(tokenClient, request, "client_credentials", time, cancellationToken).ConfigureAwait(false);
        return new CachedToken(issued.AccessToken, issued.RefreshAt(options.RefreshBeforeExpiry), issued.ExpiresAt);
    }

    /// <summary>
    /// The token service could not answer (no connection, a timeout, 5xx or 429), as opposed to refusing the client
    /// (a 4xx OAuth error), which is never masked by the token held.
    /// </summary>
    private static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException => true,
        TokenRequestException { StatusCode: { } status } => (int)status >= 500 || status == HttpStatusCode.TooManyRequests,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt, DateTimeOffset ExpiresAt)
    {
        public bool IsFresh(DateTimeOffset now) => now < RefreshAt;
    }
}
