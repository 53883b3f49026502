using TokenService.Clients;
using TokenService.RefreshTokens;

namespace TokenService.Tokens.Grants;

/// <summary>RFC 6749 §6: exchanges a refresh token for a new access token and a new refresh token (rotation).</summary>
internal sealed class RefreshTokenGrantHandler(RefreshTokenService sessions) : IGrantHandler
{
    public const string Name = "refresh_token";

    public string GrantType => Name;

    public Task<IResult> HandleAsync(TokenRequest request, Client client, CancellationToken cancellationToken) =>
        sessions.RefreshAsync(request, client, cancellationToken);
}
