using TokenService.Accounts;
using TokenService.Clients;
using TokenService.Data;
using TokenService.RefreshTokens;

namespace TokenService.Tokens.Grants;

/// <summary>
/// The answer to a completed user sign-in (password, or password and second factor): an access token, and for
/// clients allowed the refresh_token grant the first refresh token of a new session carrying how the user
/// authenticated (<c>amr</c>) and when (<c>auth_time</c>) into every later access token.
/// </summary>
internal sealed class UserTokens(RefreshTokenService sessions, AccessTokenIssuer issuer, TokenDbContext database, TimeProvider time)
{
    public async Task<IResult> IssueAsync(
        AuthenticatedUser user, Client client, RequestedAccess access, IReadOnlyList<string> authenticationMethods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(access);
        (Guid SessionId, string RefreshToken)? session = null;
        if (client.AllowedGrantTypes.Contains(RefreshTokenGrantHandler.Name, StringComparer.Ordinal))
        {
            session = sessions.StartSession(user.Id, client, access, authenticationMethods);
        }

        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var token = issuer.Issue(new AccessTokenSubject(
            user.Id.ToString(), client.ClientId, access.Audiences, access.Scopes, user.Roles, user.Permissions,
            AuthenticatedAt: time.GetUtcNow(), AuthenticationMethods: authenticationMethods, SessionId: session?.SessionId));
        return new TokenResponseResult(TokenResponse.For(token, access.Scopes, session?.RefreshToken));
    }
}
