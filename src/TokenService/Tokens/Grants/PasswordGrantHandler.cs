using TokenService.Accounts;
using TokenService.Clients;
using TokenService.Data;
using TokenService.Passwords;
using TokenService.RefreshTokens;

namespace TokenService.Tokens.Grants;

/// <summary>
/// RFC 6749 §4.3: the resource owner's user name and password, for first-party apps. Clients allowed the
/// refresh_token grant also get the first refresh token of a new session.
/// </summary>
internal sealed class PasswordGrantHandler(
    PasswordLogin login, LoginRateLimiter rateLimiter, IHttpContextAccessor httpContextAccessor,
    RefreshTokenService sessions, AccessTokenIssuer issuer, TokenDbContext database, TimeProvider time) : IGrantHandler
{
    public const string Name = "password";
    private const int MaximumUserNameLength = 256;
    private const int MaximumPasswordLength = 1024;
    private static readonly string[] PasswordMethod = ["pwd"];

    public string GrantType => Name;

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

        var address = httpContextAccessor.HttpContext?.Connection.RemoteIpAddress;
        if (!rateLimiter.TryBegin(address, UserNames.Normalize(userName), out var attempt, out var retryAfter))
        {
            return new RetryLaterResult(StatusCodes.Status429TooManyRequests, retryAfter, "Too many sign-in attempts. Try again later.");
        }

        AuthenticatedUser? user;
        try
        {
            user = await login.SignInAsync(userName, password, client.ClientId, cancellationToken).ConfigureAwait(false);
        }
        catch (PasswordHashingOverloadedException)
        {
            attempt.GiveBack(); // shed before any password was checked (answered 503)
            throw;
        }

        if (user is null)
        {
            return new OAuthErrorResult(OAuthErrors.InvalidGrant, "The user name or password is incorrect.");
        }

        attempt.GiveBack();

        (Guid SessionId, string RefreshToken)? session = null;
        if (client.AllowedGrantTypes.Contains(RefreshTokenGrantHandler.Name, StringComparer.Ordinal))
        {
            session = sessions.StartSession(user.Id, client, access!, PasswordMethod);
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        var token = issuer.Issue(new AccessTokenSubject(
            user.Id.ToString(), client.ClientId, access!.Audiences, access.Scopes, user.Roles, user.Permissions,
            AuthenticatedAt: time.GetUtcNow(), AuthenticationMethods: PasswordMethod, SessionId: session?.SessionId));
        return new TokenResponseResult(TokenResponse.For(token, access.Scopes, session?.RefreshToken));
    }
}
