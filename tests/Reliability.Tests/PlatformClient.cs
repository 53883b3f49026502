using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reliability.Tests;

/// <summary>An access token and the refresh token that came with it, as a mobile app holds them.</summary>
public sealed record TokenPair(string Access, string Refresh)
{
    /// <summary>The session (refresh-token family) the access token names in <c>sid</c>.</summary>
    public Guid SessionId
    {
        get
        {
            var payload = Base64Url.DecodeFromChars(Access.Split('.')[1]);
            return JsonDocument.Parse(payload).RootElement.GetProperty("sid").GetGuid();
        }
    }

    /// <summary>How the token service stores the refresh token: SHA-256 of its 32 bytes.</summary>
    public byte[] RefreshHash => SHA256.HashData(Base64Url.DecodeFromChars(Refresh));
}

/// <summary>Requests as the platform's clients send them, to one base address (the entry point).</summary>
public sealed class PlatformClient(Uri entryPoint, LocalCluster cluster) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        BaseAddress = entryPoint,
        Timeout = TimeSpan.FromSeconds(60),
    };

    public static readonly string[] ApiPaths = ["/api/orders", "/api/inventory/items"];

    public Task<HttpResponseMessage> PasswordGrantAsync() => TokenRequestAsync([
        new("grant_type", "password"), new("client_id", LocalCluster.MobileApp),
        new("username", LocalCluster.UserName), new("password", cluster.UserPassword),
    ]);

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) => TokenRequestAsync([
        new("grant_type", "refresh_token"), new("client_id", LocalCluster.MobileApp), new("refresh_token", refreshToken),
    ]);

    public Task<HttpResponseMessage> ClientCredentialsAsync() => TokenRequestAsync(
        [new("grant_type", "client_credentials")], (LocalCluster.OrdersServiceClient, cluster.OrdersServiceSecret));

    /// <summary>Signs in; a 503 (password hashing at capacity) is retried as the client library does.</summary>
    public async Task<TokenPair> SignInAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await PasswordGrantAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10)
            {
                return await PairAsync(response).ConfigureAwait(false);
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }

    public Task<HttpResponseMessage> GetApiAsync(string path, string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return SendAsync(request);
    }

    /// <summary>Places an order of one unit of <paramref name="sku"/>: orders reserves it at inventory with its own service token.</summary>
    public Task<HttpResponseMessage> PlaceOrderAsync(string sku, string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = new StringContent($$"""{"sku":"{{sku}}","quantity":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return SendAsync(request);
    }

    /// <summary>The token pair of a successful token response; throws with the answer otherwise.</summary>
    public static async Task<TokenPair> PairAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"token request answered {(int)response.StatusCode}: {body}");
        }

        var json = JsonDocument.Parse(body).RootElement;
        return new TokenPair(json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    public void Dispose() => _http.Dispose();

    private Task<HttpResponseMessage> TokenRequestAsync(
        IEnumerable<KeyValuePair<string, string>> form, (string Id, string Secret)? basic = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (basic is { } credentials)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Id}:{credentials.Secret}")));
        }

        return SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            return await _http.SendAsync(request).ConfigureAwait(false);
        }
    }
}
