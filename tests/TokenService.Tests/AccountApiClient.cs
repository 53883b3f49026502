using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TokenService.Tests;

/// <summary>Calls the identity API (<c>/account/*</c>, <c>/admin/*</c>) with JSON bodies and bearer tokens.</summary>
public static class AccountApiClient
{
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object? body, string? token = null) =>
        client.SendRawAsync(method, path, body is null ? null : JsonSerializer.Serialize(body), "application/json", token);

    public static async Task<HttpResponseMessage> SendRawAsync(
        this HttpClient client, HttpMethod method, string path, string? content, string contentType, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(method, path);
        if (content is not null)
        {
            request.Content = new StringContent(content, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }
}
