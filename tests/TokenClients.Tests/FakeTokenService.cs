using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;

namespace TokenClients.Tests;

/// <summary>
/// An in-process token service with the real one's refresh semantics: rotation on every use, the immediately
/// previous refresh token answered with the same tokens within a grace window, any other reuse ending the session
/// with <c>invalid_grant</c>; RFC 7009 revocation. Also serves client_credentials. Its clock is the test's.
/// </summary>
public sealed class FakeTokenService(TimeProvider time) : HttpMessageHandler
{
    public const string UserName = "alice";
    public const string Password = "correct horse battery staple";
    public const string ClientSecret = "s3cr3t-of-the-service";
    public const string MfaGrant = "urn:api-auth-platform:grant-type:mfa";
    public const string MfaToken = "mfa-token-of-the-fake";
    public const string Otp = "492039";
    public const string RecoveryCode = "abcd-efgh-ijkl-mnop";

    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<string> _presentedRefreshTokens = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _clientCredentialsForms = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _mfaForms = new();
    private readonly HashSet<string> _rejectedAccessTokens = [];
    private bool _mfaTokenSpent;
    private readonly Dictionary<string, DateTimeOffset> _issuedAccessTokens = [];
    private int _issued;
    private int _refreshAnswersToLose;
    private int _refreshAnswersToHang;
    private Session? _session;
    private IssuedPair? _latest;

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>While set, refresh and client_credentials requests wait for it after arriving: lets many callers pile up behind one.</summary>
    public TaskCompletionSource? HoldAnswers { get; set; }

    /// <summary>
    /// The user has MFA on: a correct password answers 403 <c>mfa_required</c> with <see cref="MfaToken"/>, which
    /// with <see cref="Otp"/> or <see cref="RecoveryCode"/> starts the session (once).
    /// </summary>
    public bool RequireMfa { get; set; }

    /// <summary>The form of each MFA request.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> MfaForms => [.. _mfaForms];

    /// <summary>Answers 400 with this OAuth error to every client_credentials request.</summary>
    public string? ClientCredentialsError { get; set; }

    /// <summary>Answers 503 <c>temporarily_unavailable</c> to every client_credentials request (the token service's database is down).</summary>
    public bool ClientCredentialsUnavailable { get; set; }

    private int _passwordRequests;
    private int _refreshRequests;
    private int _clientCredentialsRequests;
    private int _revocationRequests;

    public int PasswordRequests => Volatile.Read(ref _passwordRequests);

    public int RefreshRequests => Volatile.Read(ref _refreshRequests);

    public int ClientCredentialsRequests => Volatile.Read(ref _clientCredentialsRequests);

    public int RevocationRequests => Volatile.Read(ref _revocationRequests);

    /// <summary>Signals each refresh and client_credentials request as it arrives (before it is answered).</summary>
    public SemaphoreSlim RequestArrived { get; } = new(0);

    public IReadOnlyList<string> PresentedRefreshTokens => [.. _presentedRefreshTokens];

    /// <summary>The form of each client_credentials request, with its Authorization header under <c>authorization</c>.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ClientCredentialsForms => [.. _clientCredentialsForms];

    public bool SessionEnded => _session is { Ended: true };

    /// <summary>The pair from the last sign-in or rotation.</summary>
    public (string AccessToken, string RefreshToken) Latest => _latest is { } pair ? (pair.AccessToken, pair.RefreshToken ?? "") : throw new InvalidOperationException("Nobody signed in.");

    /// <summary>The next <paramref name="count"/> refreshes are carried out but their answers are lost (network error).</summary>
    public void LoseRefreshAnswers(int count) => _refreshAnswersToLose = count;

    /// <summary>The next <paramref name="count"/> refreshes are carried out but never answered (until the caller gives up).</summary>
    public void HangRefreshAnswers(int count) => _refreshAnswersToHang = count;

    /// <summary>Ends the session as an admin or the user's "sign out everywhere" would.</summary>
    public void RevokeSession()
    {
        lock (_lock)
        {
            _session!.Ended = true;
        }
    }

    /// <summary>Makes APIs refuse this access token from now on (as after an emergency key revocation).</summary>
    public void RejectAccessToken(string accessToken)
    {
        lock (_lock)
        {
            _rejectedAccessTokens.Add(accessToken);
        }
    }

    /// <summary>What an API verifying the token would say: issued here, not expired, not rejected.</summary>
    public bool Accepts(string accessToken)
    {
        lock (_lock)
        {
            return _issuedAccessTokens.TryGetValue(accessToken, out var expiresAt)
                && time.GetUtcNow() < expiresAt && !_rejectedAccessTokens.Contains(accessToken);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var form = (await request.Content!.ReadAsStringAsync(cancellationToken)).Split('&')
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0].Replace('+', ' ')), pair => Uri.UnescapeDataString(pair[1].Replace('+', ' ')));
        if (request.RequestUri!.AbsolutePath == "/connect/revoke")
        {
            Interlocked.Increment(ref _revocationRequests);
            Revoke(form["token"]);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }

        switch (form["grant_type"])
        {
            case "password":
                Interlocked.Increment(ref _passwordRequests);
                return form["username"] != UserName || form["password"] != Password || form["client_id"] != "mobile-app" ? Error("invalid_grant")
                    : RequireMfa ? MfaRequired()
                    : Answer(StartSession());
            case MfaGrant:
                _mfaForms.Enqueue(form);
                return CompleteMfa(form);
            case "refresh_token":
                return await RefreshAsync(form["refresh_token"], cancellationToken);
            case "client_credentials":
                Interlocked.Increment(ref _clientCredentialsRequests);
                form["authorization"] = request.Headers.Authorization?.ToString() ?? "";
                _clientCredentialsForms.Enqueue(form);
                await ArriveAsync(cancellationToken);
                return ClientCredentialsUnavailable ? Unavailable()
                    : ClientCredentialsError is { } error ? Error(error)
                    : Answer(Issue(refreshToken: null));
            default:
                return Error("unsupported_grant_type");
        }
    }

    private HttpResponseMessage MfaRequired()
    {
        lock (_lock)
        {
            _mfaTokenSpent = false;
        }

        return new HttpResponseMessage(HttpStatusCode.Forbidden)
        {
            Content = JsonContent.Create(new Dictionary<string, string>
            {
                ["error"] = "mfa_required", ["error_description"] = "A second factor is required.", ["mfa_token"] = MfaToken,
            }),
        };
    }

    private HttpResponseMessage CompleteMfa(Dictionary<string, string> form)
    {
        lock (_lock)
        {
            var factorRight = form.GetValueOrDefault("otp") == Otp || form.GetValueOrDefault("recovery_code") == RecoveryCode;
            if (_mfaTokenSpent || form.GetValueOrDefault("mfa_token") != MfaToken || !factorRight)
            {
                return Error("invalid_grant");
            }

            _mfaTokenSpent = true;
            return Answer(StartSession());
        }
    }

    private async Task<HttpResponseMessage> RefreshAsync(string presented, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _refreshRequests);
        _presentedRefreshTokens.Enqueue(presented);
        await ArriveAsync(cancellationToken);
        var answer = Rotate(presented);
        if (Interlocked.Decrement(ref _refreshAnswersToHang) >= 0)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (Interlocked.Decrement(ref _refreshAnswersToLose) >= 0)
        {
            answer.Dispose();
            throw new HttpRequestException("The connection was reset after the request was sent.");
        }

        return answer;
    }

    private async Task ArriveAsync(CancellationToken cancellationToken)
    {
        RequestArrived.Release();
        if (HoldAnswers is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
    }

    private HttpResponseMessage Rotate(string presented)
    {
        lock (_lock)
        {
            var session = _session;
            if (session is null || session.Ended)
            {
                return Error("invalid_grant");
            }

            if (presented == session.Current.RefreshToken)
            {
                session.Previous = (session.Current, time.GetUtcNow());
                session.Current = Issue(refreshToken: NewValue("rt"));
                return Answer(session.Current);
            }

            if (session.Previous is { } previous && presented == previous.Pair.RefreshToken && time.GetUtcNow() - previous.ConsumedAt < GracePeriod)
            {
                return Answer(session.Current);
            }

            session.Ended = true; // reuse: a theft signal
            return Error("invalid_grant");
        }
    }

    private void Revoke(string refreshToken)
    {
        lock (_lock)
        {
            if (_session is { } session && (session.Current.RefreshToken == refreshToken || session.Previous?.Pair.RefreshToken == refreshToken))
            {
                session.Ended = true;
            }
        }
    }

    private IssuedPair StartSession()
    {
        lock (_lock)
        {
            _session = new Session { Current = Issue(refreshToken: NewValue("rt")) };
            return _session.Current;
        }
    }

    private IssuedPair Issue(string? refreshToken)
    {
        lock (_lock)
        {
            var pair = new IssuedPair(NewValue("at"), refreshToken);
            _issuedAccessTokens[pair.AccessToken] = time.GetUtcNow() + AccessTokenLifetime;
            _latest = pair;
            return pair;
        }
    }

    private string NewValue(string prefix) => $"{prefix}-{Interlocked.Increment(ref _issued)}-{Guid.NewGuid():N}";

    private HttpResponseMessage Answer(IssuedPair pair) => new(HttpStatusCode.OK)
    {
        Content = JsonContent.Create(new Dictionary<string, object?>
        {
            ["access_token"] = pair.AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)AccessTokenLifetime.TotalSeconds,
            ["refresh_token"] = pair.RefreshToken,
        }),
    };

    private static HttpResponseMessage Unavailable() => new(HttpStatusCode.ServiceUnavailable)
    {
        Content = JsonContent.Create(new Dictionary<string, string> { ["error"] = "temporarily_unavailable", ["error_description"] = "The fake's database is down." }),
    };

    private static HttpResponseMessage Error(string error) => new(HttpStatusCode.BadRequest)
    {
        Content = JsonContent.Create(new Dictionary<string, string> { ["error"] = error, ["error_description"] = "Refused by the fake token service." }),
    };

    private sealed record IssuedPair(string AccessToken, string? RefreshToken);

    private sealed class Session
    {
        public required IssuedPair Current { get; set; }

        public (IssuedPair Pair, DateTimeOffset ConsumedAt)? Previous { get; set; }

        public bool Ended { get; set; }
    }
}

/// <summary>An API behind the fake token service: 200 for an accepted bearer token, else 401 <c>error="invalid_token"</c>.</summary>
public sealed class FakeApi(FakeTokenService tokens) : HttpMessageHandler
{
    private readonly ConcurrentQueue<string?> _seenTokens = new();

    /// <summary>The bearer token of every request that reached the API, in order.</summary>
    public IReadOnlyList<string?> SeenTokens => [.. _seenTokens];

    /// <summary>When set, every request is refused this way, whatever its token.</summary>
    public string? AlwaysChallenge { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = request.Headers.Authorization?.Parameter;
        _seenTokens.Enqueue(token);
        if (request.Content is not null)
        {
            await request.Content.ReadAsStringAsync(cancellationToken);
        }

        if (AlwaysChallenge is null && token is not null && tokens.Accepts(token))
        {
            return new HttpResponseMessage(HttpStatusCode.OK);
        }

        var refused = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        refused.Headers.TryAddWithoutValidation("WWW-Authenticate", AlwaysChallenge ?? "Bearer error=\"invalid_token\"");
        return refused;
    }
}
