using System.Net.Http.Headers;

namespace TokenClients.ClientCredentials;

/// <summary>Attaches the service's own access token to every outgoing request of its HttpClient.</summary>
public sealed class ClientCredentialsHandler(ClientCredentialsTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
