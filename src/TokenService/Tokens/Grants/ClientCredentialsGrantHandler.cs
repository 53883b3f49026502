using TokenService.Clients;

namespace TokenService.Tokens.Grants;

/// <summary>RFC 6749 §4.4: a confidential client gets a token for itself (<c>sub</c> = <c>client_id</c>), no user rights.</summary>
internal sealed class ClientCredentialsGrantHandler(AccessTokenIssuer issuer) : IGrantHandler
{
    public const string Name = "client_credentials";

    public string GrantType => Name;

    public Task<IResult> HandleAsync(TokenRequest request, Client client, CancellationToken cancellationToken)
    {
        if (!client.IsConfidential)
        {
            return Task.FromResult<IResult>(new OAuthErrorResult(OAuthErrors.UnauthorizedClient, "Only confidential clients may use client_credentials."));
        }

        var (access, error) = RequestedAccess.Resolve(request, client);
        if (error is not null)
        {
            return Task.FromResult<IResult>(error);
        }

        var token = issuer.Issue(new AccessTokenSubject(
            client.ClientId, client.ClientId, access!.Audiences, access.Scopes, Roles: [], Permissions: []));
        return Task.FromResult<IResult>(new TokenResponseResult(TokenResponse.For(token, access.Scopes)));
    }
}
