using TokenService.Clients;

namespace TokenService.Tokens.Grants;

/// <summary>One OAuth grant type. The token endpoint has already authenticated the client and checked it may use the grant.</summary>
internal interface IGrantHandler
{
    string GrantType { get; }

    Task<IResult> HandleAsync(TokenRequest request, Client client, CancellationToken cancellationToken);
}
