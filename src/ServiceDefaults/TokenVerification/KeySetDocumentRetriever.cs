using Microsoft.IdentityModel.Protocols;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// Fetches discovery and JWKS documents with a client from <see cref="IHttpClientFactory"/> per fetch, so a
/// long-running process follows DNS changes of the token service and its handlers are recycled.
/// </summary>
internal sealed class KeySetDocumentRetriever(IHttpClientFactory clients, bool requireHttps) : IDocumentRetriever
{
    public const string HttpClientName = "token-verification-key-set";

    public Task<string> GetDocumentAsync(string address, CancellationToken cancel) =>
        new HttpDocumentRetriever(clients.CreateClient(HttpClientName)) { RequireHttps = requireHttps }.GetDocumentAsync(address, cancel);
}
