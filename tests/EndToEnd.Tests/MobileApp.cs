using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>What a mobile app does: one base URL (the gateway), a token from the token endpoint, bearer calls.</summary>
public sealed class MobileApp(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress };

    public async Task<string> SignInAsync(string userName, string password) => (await SignInWithRefreshAsync(userName, password)).Access;

    /// <summary>Signs in and keeps the session's refresh token too.</summary>
    public Task<(string Access, string Refresh)> SignInWithRefreshAsync(string userName, string password) => TokenPairAsync(new()
    {
        ["grant_type"] = "password", ["client_id"] = "mobile-app", ["username"] = userName, ["password"] = password,
    });

    public Task<(string Access, string Refresh)> RefreshAsync(string refreshToken) => TokenPairAsync(new()
    {
        ["grant_type"] = "refresh_token", ["client_id"] = "mobile-app", ["refresh_token"] = refreshToken,
    });

    public Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> form) =>
        _http.PostAsync(path, new FormUrlEncodedContent(form));

    private async Task<(string Access, string Refresh)> TokenPairAsync(Dictionary<string, string> form)
    {
        using var response = await PostFormAsync("/connect/token", form);
        response.EnsureSuccessStatusCode();
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>A client_credentials token, as a partner or batch job would get it.</summary>
    public async Task<string> ServiceTokenAsync(string clientId, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return _http.SendAsync(request);
    }

    public void Dispose() => _http.Dispose();
}
