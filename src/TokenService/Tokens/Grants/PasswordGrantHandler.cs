using TokenService.Accounts;
using TokenService.Clients;

namespace TokenService.Tokens.Grants;

/// <summary>RFC 6749 §4.3: the resource owner's user name and password, for first-party apps.</summary>
internal sealed class PasswordGrantHandler(PasswordLogin login, AccessTokenIssuer issuer, TimeProvider time) : IGrantHandler
{
    private const int MaximumUserNameLength = 256;
    private const int MaximumPasswordLength = 1024;

    public string GrantType => "password";

    public async Task<IResult> HandleAsync(TokenRequest request, Client client, CancellationToken cancellationToken)
    {
        var (userName, password) = (request["username"], request["password"]);
        if (string.IsNullOrEmpty(userName) || string.IsNullOrEmpty(password))
        {
            return TokenRequest.Invalid("username and password are required.");
        }

        if (userName.Length > MaximumUserNameLength || password.Length > MaximumPasswordLength)
        {
            return TokenRequest.Invalid("username or password is too long.");
        }

        var (access, error) = RequestedAccess.Resolve(request, client);
        if (error is not null)
        {
            return error;
        }

        var user = await login.SignInAsync(userName, password, client.ClientId, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return new OAuthErrorResult(OAuthErrors.InvalidGrant, "The user name or password is incorrect.");
        }

        var token = issuer.Issue(new AccessTokenSubject(
            user.UserId, client.ClientId, access!.Audiences, access.Scopes, user.Roles, user.Permissions,
            AuthenticatedAt: time.GetUtcNow(), AuthenticationMethods: ["pwd"]));
        return new TokenResponseResult(token, access.Scopes);
    }
}
