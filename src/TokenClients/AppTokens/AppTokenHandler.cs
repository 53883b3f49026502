using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace TokenClients.AppTokens;

/// <summary>
/// Attaches the app's access token to every request of its HttpClient, and sends a request once more with a refreshed
/// token when the API answers <c>401</c> with <c>WWW-Authenticate: Bearer error="invalid_token"</c> (the token expired
/// early or its signing key was rotated). Other 401s, 403s and a second 401 go back to the caller unchanged.
/// </summary>
/// <remarks>
/// A request is sent again only when that is safe: it has no body, or a body that can be produced twice
/// (<see cref="ByteArrayContent"/> and its subclasses <see cref="StringContent"/> and
/// <see cref="FormUrlEncodedContent"/>, <see cref="ReadOnlyMemoryContent"/>, <see cref="JsonContent"/>). A streamed
/// body (<see cref="StreamContent"/>, multipart) is not read twice: such a request gets the 401 back. Buffer it
/// into a <see cref="ByteArrayContent"/> if it should be retried.
/// </remarks>
public sealed class AppTokenHandler(AppTokenClient session) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await session.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!IsInvalidTokenChallenge(response) || !CanSendAgain(request.Content))
        {
            return response;
        }

        response.Dispose();
        var replacement = await session.GetAccessTokenAfterRejectionAsync(token, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", replacement);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rule in the remarks above: no body, or one whose content can be serialised again.</summary>
    public static bool CanSendAgain(HttpContent? content) => content is null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent;

    /// <summary>RFC 6750 §3.1: <c>401</c> with a Bearer challenge carrying <c>error="invalid_token"</c>.</summary>
    public static bool IsInvalidTokenChallenge(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.StatusCode == HttpStatusCode.Unauthorized && response.Headers.WwwAuthenticate.Any(challenge =>
            string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            && challenge.Parameter is { } parameters
            && parameters.Split(',').Select(p => p.Trim()).Any(p =>
                p.Equals("error=\"invalid_token\"", StringComparison.OrdinalIgnoreCase) || p.Equals("error=invalid_token", StringComparison.OrdinalIgnoreCase)));
    }
}
