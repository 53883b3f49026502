using TokenService.Clients;

namespace TokenService.Tokens.Grants;

/// <summary>The scopes and audiences a token will carry: what the client asked for, within what it is allowed.</summary>
internal sealed record RequestedAccess(IReadOnlyList<string> Scopes, IReadOnlyList<string> Audiences)
{
    /// <summary>
    /// No <c>scope</c> means all the client's scopes; no <c>resource</c> (RFC 8707) means all its audiences.
    /// Anything outside the client's allowance is refused, not silently dropped.
    /// </summary>
    public static (RequestedAccess? Access, OAuthErrorResult? Error) Resolve(TokenRequest request, Client client)
    {
        var requestedScopes = request["scope"]?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
        var scopes = requestedScopes is { Length: > 0 } ? requestedScopes : [.. client.AllowedScopes];
        if (scopes.Except(client.AllowedScopes, StringComparer.Ordinal).Any())
        {
            return (null, new OAuthErrorResult(OAuthErrors.InvalidScope, "A requested scope is not allowed for this client."));
        }

        var requestedAudiences = request.Resources.Distinct(StringComparer.Ordinal).ToArray();
        var audiences = requestedAudiences.Length > 0 ? requestedAudiences : [.. client.AllowedAudiences];
        if (audiences.Length == 0 || audiences.Except(client.AllowedAudiences, StringComparer.Ordinal).Any())
        {
            return (null, new OAuthErrorResult(OAuthErrors.InvalidTarget, "A requested resource is not allowed for this client."));
        }

        return (new RequestedAccess(scopes, audiences), null);
    }
}
