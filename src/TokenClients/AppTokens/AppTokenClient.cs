using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenClients.ClientCredentials;
using TokenClients.OAuth;

namespace TokenClients.AppTokens;

/// <summary>
/// An app's session with the token service: signs the user in (password grant, then a second factor when the user
/// has MFA on), hands out a fresh access token to
/// every request, refreshes it shortly before it expires with exactly one refresh however many requests need it at
/// once (single flight), and signs out (RFC 7009 revocation). Tokens live in an <see cref="ITokenStore"/>.
/// </summary>
/// <remarks>
/// <para>Refresh tokens rotate: each refresh returns a new one and spends the old. If the answer to a refresh is lost
/// (network error, timeout, 408/502/503/504), the <em>same</em> refresh token is sent again, up to
/// <see cref="AppTokenOptions.RefreshAttempts"/> times; the token service answers a repeat within its grace window with
/// the same tokens. A refresh answered <c>invalid_grant</c> (session revoked or expired, or a refresh token reused)
/// ends the session: the store is cleared, <see cref="SignedOut"/> is raised and callers get a <see cref="SignedOutException"/>.</para>
/// <para>A refresh started for several callers is not cancelled when one of them gives up; it is bounded by
/// <see cref="AppTokenOptions.TokenRequestTimeout"/> per attempt. Tokens are never logged.</para>
/// </remarks>
public sealed partial class AppTokenClient : IDisposable
{
    private readonly HttpClient _tokenClient;
    private readonly AppTokenOptions _options;
    private readonly ITokenStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Serialises every change of the session: sign-in, refresh, sign-out, loading from the store.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _flightLock = new();
    private readonly CancellationTokenSource _disposed = new();
    private Task<AppTokenSet>? _refreshFlight;
    private volatile AppTokenSet? _tokens;
    private bool _loaded;
    private SignedOutReason _signedOutReason = SignedOutReason.NotSignedIn;

    /// <summary>Builds a session; <paramref name="options"/> are validated like at start. Each token request is bounded by <see cref="AppTokenOptions.TokenRequestTimeout"/>.</summary>
    public AppTokenClient(HttpClient tokenClient, AppTokenOptions options, ITokenStore store, TimeProvider time, ILogger<AppTokenClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(tokenClient);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new AppTokenOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException($"Invalid app token options: {validation.FailureMessage}", nameof(options));
        }

        _tokenClient = tokenClient;
        _options = options;
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? (ILogger)NullLogger.Instance;
        if (options.Authority!.Scheme != Uri.UriSchemeHttps)
        {
            Log.InsecureAuthority(_logger, options.Authority);
        }
    }

    /// <summary>Raised (outside any lock) when the session ends: the user signed out or the token service ended it.</summary>
    public event EventHandler<SignedOutEventArgs>? SignedOut;

    /// <summary>Raised after each successful refresh (not after sign-in). Handlers run on the refreshing thread.</summary>
    public event EventHandler? Refreshed;

    /// <summary>Whether tokens are held (loading them from the store on first use). For choosing the start screen.</summary>
    public async Task<bool> IsSignedInAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadedTokensAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The token service's extension grant that completes a sign-in with a second factor.</summary>
    public const string MfaGrantType = "urn:api-auth-platform:grant-type:mfa";

    /// <summary>
    /// Signs the user in with the password grant and stores the tokens, replacing any earlier session on this device.
    /// Wrong credentials surface as a <see cref="TokenRequestException"/> with <c>Error == "invalid_grant"</c>; a
    /// correct password of a user with MFA as a <see cref="MfaRequiredException"/> (nothing is stored): finish with
    /// <see cref="CompleteMfaAsync"/>.
    /// </summary>
    public Task SignInAsync(string userName, string password, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = _options.ClientId, ["username"] = userName, ["password"] = password,
        };
        if (!string.IsNullOrWhiteSpace(_options.Scope))
        {
            form["scope"] = _options.Scope;
        }

        return StartSessionAsync("password", form, cancellationToken);
    }

    /// <summary>
    /// Completes a sign-in that answered <see cref="MfaRequiredException"/> with the current code of the user's
    /// authenticator app, and stores the tokens. A wrong, old or already used code, or a spent or expired
    /// <paramref name="mfaToken"/>, is a <see cref="TokenRequestException"/> with <c>Error == "invalid_grant"</c>.
    /// </summary>
    public Task CompleteMfaAsync(string mfaToken, string code, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        return CompleteWithFactorAsync(mfaToken, "otp", code, cancellationToken);
    }

    /// <summary>As <see cref="CompleteMfaAsync"/>, with one of the user's single-use recovery codes instead of a code.</summary>
    public Task CompleteMfaWithRecoveryCodeAsync(string mfaToken, string recoveryCode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(recoveryCode);
        return CompleteWithFactorAsync(mfaToken, "recovery_code", recoveryCode, cancellationToken);
    }

    private Task CompleteWithFactorAsync(string mfaToken, string factor, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(mfaToken);
        return StartSessionAsync("MFA", new Dictionary<string, string>
        {
            ["grant_type"] = MfaGrantType, ["client_id"] = _options.ClientId, ["mfa_token"] = mfaToken, [factor] = value,
        }, cancellationToken);
    }

    /// <summary>A sign-in request (password, or the MFA step); stores the session it starts.</summary>
    private async Task StartSessionAsync(string grantName, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var issued = await RequestTokensAsync(grantName, form, cancellationToken).ConfigureAwait(false);
        if (issued.RefreshToken is null)
        {
            throw new TokenRequestException($"The token service issued no refresh token: client '{_options.ClientId}' needs the refresh_token grant.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await KeepAsync(new AppTokenSet(issued.AccessToken, issued.RefreshToken, issued.RequestedAt, issued.ExpiresAt), cancellationToken)
                .ConfigureAwait(false);
            _loaded = true;
        }
        finally
        {
            _gate.Release();
        }

        Log.SignedIn(_logger, issued.ExpiresAt - issued.RequestedAt);
    }

    /// <summary>
    /// Signs out: forgets the tokens on this device first (so signing out works offline), then asks the token service to
    /// end the session. Returns whether the service confirmed; <c>false</c> when it could not be reached, in which
    /// case the session ends on the service only when its refresh token expires unused.
    /// </summary>
    public async Task<bool> SignOutAsync(CancellationToken cancellationToken)
    {
        AppTokenSet? tokens;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            tokens = await LoadedTokensAsync(cancellationToken).ConfigureAwait(false);
            await ForgetAsync(SignedOutReason.UserSignedOut, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        if (tokens is null)
        {
            return true;
        }

        SignedOut?.Invoke(this, new SignedOutEventArgs(SignedOutReason.UserSignedOut));
        return await RevokeAsync(tokens.RefreshToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An access token that is not about to expire, refreshing it first when it is. Throws <see cref="SignedOutException"/> without a session.</summary>
    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        if (_tokens is { } tokens && _time.GetUtcNow() < RefreshAt(tokens))
        {
            return tokens.AccessToken;
        }

        return (await JoinRefreshAsync(rejectedAccessToken: null, cancellationToken).ConfigureAwait(false)).AccessToken;
    }

    /// <summary>
    /// An access token other than <paramref name="rejectedAccessToken"/>, which an API refused as invalid (expired
    /// early, signing key rotated): refreshes unless another caller already replaced it. Many callers rejected at
    /// once still cause one refresh.
    /// </summary>
    public async Task<string> GetAccessTokenAfterRejectionAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(rejectedAccessToken);
        var tokens = await JoinRefreshAsync(rejectedAccessToken, cancellationToken).ConfigureAwait(false);
        if (tokens.AccessToken == rejectedAccessToken)
        {
            // Joined a flight that started before the rejection and judged the token still fresh: one more flight replaces it.
            tokens = await JoinRefreshAsync(rejectedAccessToken, cancellationToken).ConfigureAwait(false);
        }

        return tokens.AccessToken;
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>Joins the refresh in flight, or starts one; a caller's cancellation stops its wait, not the shared refresh.</summary>
    private Task<AppTokenSet> JoinRefreshAsync(string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        Task<AppTokenSet> flight;
        lock (_flightLock)
        {
            flight = _refreshFlight ??= Task.Run(() => RefreshIfNeededAsync(rejectedAccessToken, _disposed.Token));
        }

        return flight.WaitAsync(cancellationToken);
    }

    private async Task<AppTokenSet> RefreshIfNeededAsync(string? rejectedAccessToken, CancellationToken cancellationToken)
    {
        var sessionEnded = false;
        var refreshed = false;
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var tokens = await LoadedTokensAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new SignedOutException(_signedOutReason);
                if (_time.GetUtcNow() < RefreshAt(tokens) && tokens.AccessToken != rejectedAccessToken)
                {
                    return tokens;
                }

                try
                {
                    var next = await RefreshAsync(tokens.RefreshToken, cancellationToken).ConfigureAwait(false);
                    await KeepAsync(next, cancellationToken).ConfigureAwait(false);
                    refreshed = true;
                    return next;
                }
                catch (TokenRequestException exception) when (exception.Error == "invalid_grant")
                {
                    Log.SessionEnded(_logger);
                    await ForgetAsync(SignedOutReason.SessionEnded, cancellationToken).ConfigureAwait(false);
                    sessionEnded = true;
                    throw new SignedOutException(SignedOutReason.SessionEnded, exception);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            // Whatever happened, the next caller starts a new flight; events run outside the gate so handlers may call back in.
            lock (_flightLock)
            {
                _refreshFlight = null;
            }

            if (sessionEnded)
            {
                SignedOut?.Invoke(this, new SignedOutEventArgs(SignedOutReason.SessionEnded));
            }

            if (refreshed)
            {
                Refreshed?.Invoke(this, EventArgs.Empty);
            }
        }
    }

    /// <summary>One refresh: the same refresh token is sent again while answers are lost, never a different one.</summary>
    private async Task<AppTokenSet> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = _options.ClientId, ["refresh_token"] = refreshToken,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var issued = await RequestTokensAsync("refresh_token", form, cancellationToken).ConfigureAwait(false);
                Log.Refreshed(_logger, issued.ExpiresAt - issued.RequestedAt, attempt);
                // RFC 6749 §6 lets a server keep the refresh token; this one always rotates, but both are handled.
                return new AppTokenSet(issued.AccessToken, issued.RefreshToken ?? refreshToken, issued.RequestedAt, issued.ExpiresAt);
            }
            catch (Exception exception) when (attempt < _options.RefreshAttempts && IsLostAnswer(exception, cancellationToken))
            {
                Log.RefreshAnswerLost(_logger, attempt, _options.RefreshAttempts, exception.GetType().Name);
                await Task.Delay(_options.RefreshRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether the refresh may have reached the service without its answer reaching us (or not reached it at all).</summary>
    private static bool IsLostAnswer(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // TokenRequestTimeout or HttpClient.Timeout
        TokenRequestException { StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };

    private async Task<IssuedTokens> RequestTokensAsync(string grantType, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        return await WithinTimeoutAsync(
            token => TokenEndpointCall.SendAsync(_tokenClient, request, grantType, _time, token), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> RevokeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.RevocationEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["token"] = refreshToken, ["token_type_hint"] = "refresh_token", ["client_id"] = _options.ClientId,
            }),
        };
        try
        {
            return await WithinTimeoutAsync(
                async token =>
                {
                    using var response = await _tokenClient.SendAsync(request, token).ConfigureAwait(false);
                    await TokenEndpointCall.ThrowIfErrorAsync(response, "the revocation", token).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsLostAnswer(exception, cancellationToken))
        {
            Log.RevocationFailed(_logger, exception.GetType().Name);
            return false;
        }
    }

    /// <summary>Bounds one token-service call by <see cref="AppTokenOptions.TokenRequestTimeout"/> (on the <see cref="TimeProvider"/>).</summary>
    private async Task<T> WithinTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        return await call(linked.Token).ConfigureAwait(false);
    }

    private DateTimeOffset RefreshAt(AppTokenSet tokens) => IssuedTokens.RefreshMoment(tokens.ObtainedAt, tokens.ExpiresAt, _options.RefreshBeforeExpiry);

    /// <summary>Under the gate.</summary>
    private async ValueTask<AppTokenSet?> LoadedTokensAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            _tokens = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
            _loaded = true;
        }

        return _tokens;
    }

    /// <summary>Under the gate. In memory first: a store that fails leaves the new tokens usable for this run.</summary>
    private async ValueTask KeepAsync(AppTokenSet tokens, CancellationToken cancellationToken)
    {
        _tokens = tokens;
        await _store.SaveAsync(tokens, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Under the gate.</summary>
    private async ValueTask ForgetAsync(SignedOutReason reason, CancellationToken cancellationToken)
    {
        _tokens = null;
        _loaded = true;
        _signedOutReason = reason;
        await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Signed in; the access token lives {Lifetime}.")]
        public static partial void SignedIn(ILogger logger, TimeSpan lifetime);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Debug, Message = "Refreshed the access token (lives {Lifetime}) on attempt {Attempt}.")]
        public static partial void Refreshed(ILogger logger, TimeSpan lifetime, int attempt);

        [LoggerMessage(EventId = 8003, Level = LogLevel.Warning,
            Message = "The answer to refresh attempt {Attempt} of {Attempts} was lost ({Failure}); sending the same refresh token again.")]
        public static partial void RefreshAnswerLost(ILogger logger, int attempt, int attempts, string failure);

        [LoggerMessage(EventId = 8004, Level = LogLevel.Warning, Message = "The token service ended the session (invalid_grant on refresh); the app is signed out.")]
        public static partial void SessionEnded(ILogger logger);

        [LoggerMessage(EventId = 8005, Level = LogLevel.Warning,
            Message = "Signed out on this device, but the token service could not be reached to end the session ({Failure}).")]
        public static partial void RevocationFailed(ILogger logger, string failure);

        [LoggerMessage(EventId = 8006, Level = LogLevel.Warning,
            Message = "Tokens and passwords go to {Authority} over plain HTTP (AllowInsecureHttp): for local development only.")]
        public static partial void InsecureAuthority(ILogger logger, Uri authority);
    }
}
