using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TokenService.Tests;

/// <summary>Sends token requests as OAuth clients do and reads the answers.</summary>
public static class TokenEndpointClient
{
    public static async Task<HttpResponseMessage> RequestAsync(
        this HttpClient client, IEnumerable<KeyValuePair<string, string>> form, (string Id, string Secret)? basic = null, string path = "/connect/token",
        string? clientAddress = null, string? forwardedFor = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (clientAddress is not null)
        {
            request.Headers.Add(ClientAddressFromHeader.Header, clientAddress);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (basic is { } credentials)
        {
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(credentials.Id)}:{Uri.EscapeDataString(credentials.Secret)}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", encoded);
        }

        return await client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PasswordGrantAsync(this HttpClient client, string userName, string password, params (string, string)[] extra) =>
        client.RequestAsync([
            new("grant_type", "password"), new("client_id", "mobile-app"), new("username", userName), new("password", password),
            .. extra.Select(pair => new KeyValuePair<string, string>(pair.Item1, pair.Item2)),
        ]);

    /// <summary>
    /// A password grant for the mobile app sent from the given client address (the connection's peer), with an
    /// <c>X-Forwarded-For</c> header when <paramref name="forwardedFor"/> is given.
    /// </summary>
    public static Task<HttpResponseMessage> PasswordGrantFromAsync(
        this HttpClient client, string clientAddress, string userName, string password, string? forwardedFor = null) =>
        client.RequestAsync([
            new("grant_type", "password"), new("client_id", "mobile-app"), new("username", userName), new("password", password),
        ], clientAddress: clientAddress, forwardedFor: forwardedFor);

    public static Task<HttpResponseMessage> ClientCredentialsAsync(this HttpClient client, string clientId, string secret, params (string, string)[] extra) =>
        client.RequestAsync([
            new("grant_type", "client_credentials"),
            .. extra.Select(pair => new KeyValuePair<string, string>(pair.Item1, pair.Item2)),
        ], (clientId, secret));

    /// <summary>Signs in with the mobile app; returns the access and refresh tokens.</summary>
    public static async Task<(string Access, string Refresh)> SignInAsync(this HttpClient client, string user, string password)
    {
        using var response = await client.PasswordGrantAsync(user, password);
        var body = await response.JsonAsync();
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
    }

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refresh) => client.RequestAsync([
        new("grant_type", "refresh_token"), new("refresh_token", refresh), new("client_id", "mobile-app"),
    ]);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>Status, headers (but <c>Date</c>) and body as one string, to compare answers byte for byte.</summary>
    public static async Task<string> WholeAnswerAsync(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date")
            .Select(h => $"{h.Key}: {string.Join(',', h.Value)}").Order(StringComparer.Ordinal);
        return $"{(int)response.StatusCode}\n{string.Join('\n', headers)}\n{await response.Content.ReadAsStringAsync()}";
    }

    public static async Task<string> AccessTokenAsync(this Task<HttpResponseMessage> pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        using var response = await pending;
        response.EnsureSuccessStatusCode();
        return (await response.JsonAsync()).GetProperty("access_token").GetString()!;
    }
}
