using System.Net.Http.Headers;
using System.Text;
using TokenClients.OAuth;

namespace TokenClients.ClientCredentials;

/// <summary>
/// Holds one service identity's access token for one audience/scope: fetched on first use, reused until shortly
/// before it expires, then replaced by exactly one request however many callers need it at that moment (single flight).
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

        var issued = await TokenEndpointCall.SendAsync(tokenClient, request, "client_credentials", time, cancellationToken).ConfigureAwait(false);
        return new CachedToken(issued.AccessToken, issued.RefreshAt(options.RefreshBeforeExpiry));
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt)
    {
        public bool IsFresh(DateTimeOffset now) => now < RefreshAt;
    }
}
