using TokenService.Accounts;
using TokenService.Clients;
using TokenService.Mfa;
using TokenService.Passwords;

namespace TokenService.Tokens.Grants;

/// <summary>
/// RFC 6749 §4.3: the resource owner's user name and password, for first-party apps. Clients allowed the
/// refresh_token grant also get the first refresh token of a new session. For a user with MFA a correct password
/// yields no tokens, only the <c>mfa_required</c> answer with an <c>mfa_token</c> for <see cref="MfaGrantHandler"/>.
/// The request takes its place in the password-hashing gate's line first (<see cref="Admit"/>, before the client is
/// authenticated): when the line is full it is shed with 503 before any database work, whoever it names.
/// </summary>
internal sealed class PasswordGrantHandler(
    PasswordLogin login, PasswordHashing hashing, LoginRateLimiter rateLimiter, IHttpContextAccessor httpContextAccessor, MfaChallenges challenges, UserTokens tokens)
    : IGrantHandler
{
    public const string Name = "password";
    private const int MaximumUserNameLength = 256;
    private const int MaximumPasswordLength = 1024;
    private static readonly string[] PasswordMethod = ["pwd"];
    private PasswordHashingGate.Place? _place;

    public string GrantType => Name;

    public IDisposable? Admit() => _place = hashing.Reserve();

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
        var (attempt, retryAfter) = await rateLimiter.TryBeginAsync(address, UserNames.Normalize(userName), cancellationToken).ConfigureAwait(false);
        if (retryAfter > TimeSpan.Zero)
        {
            return new RetryLaterResult(StatusCodes.Status429TooManyRequests, retryAfter, "Too many sign-in attempts. Try again later.");
        }

        PasswordSignIn? signIn;
        try
        {
            var place = _place ?? throw new InvalidOperationException("The password grant was not admitted.");
            signIn = await login.SignInAsync(place, userName, password, client.ClientId, address, cancellationToken).ConfigureAwait(false);
        }
        catch (PasswordHashingOverloadedException)
        {
            await attempt.GiveBackAsync(CancellationToken.None).ConfigureAwait(false); // shed before any password was checked: waited too long for a hashing slot (answered 503)
            throw;
        }

        if (signIn is null)
        {
            return new OAuthErrorResult(OAuthErrors.InvalidGrant, "The user name or password is incorrect.");
        }

        // Written with the session or the challenge below, as the sign-in's audit entry is: one round trip for all of it.
        attempt.GiveBackOnSave();
        return signIn.SecondFactorRequired
            ? await challenges.IssueAsync(signIn.User.Id, client, access!, cancellationToken).ConfigureAwait(false)
            : await tokens.IssueAsync(signIn.User, client, access!, PasswordMethod, cancellationToken).ConfigureAwait(false);
    }
}
