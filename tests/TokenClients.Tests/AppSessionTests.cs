using NUnit.Framework;
using TokenClients.AppTokens;
using TokenClients.ClientCredentials;

namespace TokenClients.Tests;

/// <summary>The app's session: sign-in, refresh before expiry, one refresh for many callers, lost answers, ending sessions.</summary>
public sealed class AppSessionTests : AppClientTestBase
{
    [Test]
    public async Task Sign_in_stores_the_issued_tokens()
    {
        await SignInAsync();

        var stored = await Store.LoadAsync(CancellationToken.None);
        Assert.That(stored, Is.Not.Null);
        Assert.That((stored!.AccessToken, stored.RefreshToken), Is.EqualTo(TokenService.Latest));
        Assert.That(stored.ExpiresAt, Is.EqualTo(Time.GetUtcNow() + TokenService.AccessTokenLifetime));
    }

    [Test]
    public async Task Wrong_credentials_are_refused_with_invalid_grant_and_store_nothing()
    {
        var refused = Assert.ThrowsAsync<TokenRequestException>(() => Session.SignInAsync(FakeTokenService.UserName, "wrong password", CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo("invalid_grant"));
        Assert.That(refused.Message, Does.Not.Contain("wrong password"));
        Assert.That(await Session.IsSignedInAsync(CancellationToken.None), Is.False);
    }

    [TestCase(269, 0, TestName = "The_access_token_is_reused_until_the_margin_before_expiry")]
    [TestCase(271, 1, TestName = "The_access_token_is_refreshed_within_the_margin_before_expiry")]
    public async Task Refresh_happens_the_margin_before_expiry(int secondsAfterSignIn, int expectedRefreshes)
    {
        await SignInAsync();
        var first = TokenService.Latest.AccessToken;

        Time.Advance(TimeSpan.FromSeconds(secondsAfterSignIn));
        var token = await Session.GetAccessTokenAsync(CancellationToken.None);

        Assert.That(TokenService.RefreshRequests, Is.EqualTo(expectedRefreshes));
        Assert.That(token, expectedRefreshes == 0 ? Is.EqualTo(first) : Is.EqualTo(TokenService.Latest.AccessToken).And.Not.EqualTo(first));
    }

    [Test]
    public async Task Many_callers_finding_the_token_expired_cause_exactly_one_refresh()
    {
        await SignInAsync();
        ExpireAccessToken();
        TokenService.HoldAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 50).Select(_ => Session.GetAccessTokenAsync(CancellationToken.None)).ToList();
        Assert.That(await TokenService.RequestArrived.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        TokenService.HoldAnswers.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.That(TokenService.RefreshRequests, Is.EqualTo(1));
        Assert.That(tokens.Distinct(), Is.EqualTo(new[] { TokenService.Latest.AccessToken }));
    }

    [Test]
    public async Task A_caller_giving_up_does_not_cancel_the_refresh_others_wait_for()
    {
        await SignInAsync();
        ExpireAccessToken();
        TokenService.HoldAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();

        var givingUp = Session.GetAccessTokenAsync(impatient.Token);
        var waiting = Session.GetAccessTokenAsync(CancellationToken.None);
        Assert.That(await TokenService.RequestArrived.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        await impatient.CancelAsync();
        TokenService.HoldAnswers.SetResult();

        Assert.That(async () => await givingUp, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await waiting, Is.EqualTo(TokenService.Latest.AccessToken));
        Assert.That(TokenService.RefreshRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task A_refresh_rotates_the_stored_refresh_token()
    {
        await SignInAsync();
        ExpireAccessToken();

        await Session.GetAccessTokenAsync(CancellationToken.None);

        var stored = await Store.LoadAsync(CancellationToken.None);
        Assert.That((stored!.AccessToken, stored.RefreshToken), Is.EqualTo(TokenService.Latest));
    }

    [Test]
    public async Task A_lost_refresh_answer_sends_the_same_refresh_token_again_and_takes_the_grace_answer()
    {
        await SignInAsync();
        var signInRefreshToken = TokenService.Latest.RefreshToken;
        ExpireAccessToken();
        TokenService.LoseRefreshAnswers(1);

        var token = await Session.GetAccessTokenAsync(CancellationToken.None);

        Assert.That(TokenService.PresentedRefreshTokens, Is.EqualTo(new[] { signInRefreshToken, signInRefreshToken }));
        Assert.That(TokenService.SessionEnded, Is.False);
        Assert.That(token, Is.EqualTo(TokenService.Latest.AccessToken));
        Assert.That((await Store.LoadAsync(CancellationToken.None))!.RefreshToken, Is.EqualTo(TokenService.Latest.RefreshToken));
    }

    [Test]
    public async Task A_refresh_answer_that_never_comes_times_out_and_the_same_refresh_token_is_sent_again()
    {
        await SignInAsync();
        var signInRefreshToken = TokenService.Latest.RefreshToken;
        ExpireAccessToken();
        TokenService.HangRefreshAnswers(1);

        var refreshing = Session.GetAccessTokenAsync(CancellationToken.None);
        Assert.That(await TokenService.RequestArrived.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        Time.Advance(Options.TokenRequestTimeout);
        var token = await refreshing.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(TokenService.PresentedRefreshTokens, Is.EqualTo(new[] { signInRefreshToken, signInRefreshToken }));
        Assert.That(token, Is.EqualTo(TokenService.Latest.AccessToken));
        Assert.That(TokenService.SessionEnded, Is.False);
    }

    [Test]
    public async Task When_every_attempt_loses_its_answer_the_error_surfaces_and_the_session_is_kept()
    {
        await SignInAsync();
        ExpireAccessToken();
        TokenService.LoseRefreshAnswers(Options.RefreshAttempts);

        Assert.That(() => Session.GetAccessTokenAsync(CancellationToken.None), Throws.InstanceOf<HttpRequestException>());
        Assert.That(TokenService.RefreshRequests, Is.EqualTo(Options.RefreshAttempts));
        Assert.That(await Session.IsSignedInAsync(CancellationToken.None), Is.True);
        Assert.That(SignedOutEvents, Is.Empty);
    }

    private static IEnumerable<TestCaseData> WaysASessionEnds()
    {
        yield return new TestCaseData((Action<FakeTokenService, AppSessionTests>)((service, _) => service.RevokeSession()))
            .SetName("A_session_revoked_on_the_token_service_signs_the_app_out");
        yield return new TestCaseData((Action<FakeTokenService, AppSessionTests>)((service, test) =>
            {
                // Someone else (a thief with a copied token) refreshed first; the app's token is now spent.
                using var thief = new HttpClient(service);
                using var form = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token", ["client_id"] = "mobile-app", ["refresh_token"] = service.Latest.RefreshToken,
                });
                thief.PostAsync(new Uri(Gateway, "/connect/token"), form).GetAwaiter().GetResult().Dispose();
                test.Time.Advance(service.GracePeriod);
            }))
            .SetName("A_refresh_token_reused_elsewhere_signs_the_app_out");
    }

    [TestCaseSource(nameof(WaysASessionEnds))]
    public async Task Session_ended_on_the_server(Action<FakeTokenService, AppSessionTests> endSession)
    {
        await SignInAsync();
        endSession(TokenService, this);
        ExpireAccessToken();

        var signedOut = Assert.ThrowsAsync<SignedOutException>(() => Session.GetAccessTokenAsync(CancellationToken.None));

        Assert.That(signedOut!.Reason, Is.EqualTo(SignedOutReason.SessionEnded));
        Assert.That(await Store.LoadAsync(CancellationToken.None), Is.Null);
        Assert.That(SignedOutEvents, Is.EqualTo(new[] { SignedOutReason.SessionEnded }));
    }

    [Test]
    public async Task After_the_session_ended_callers_are_refused_without_asking_the_token_service()
    {
        await SignInAsync();
        TokenService.RevokeSession();
        ExpireAccessToken();
        Assert.ThrowsAsync<SignedOutException>(() => Session.GetAccessTokenAsync(CancellationToken.None));

        var again = Assert.ThrowsAsync<SignedOutException>(() => Session.GetAccessTokenAsync(CancellationToken.None));

        Assert.That(again!.Reason, Is.EqualTo(SignedOutReason.SessionEnded));
        Assert.That(TokenService.RefreshRequests, Is.EqualTo(1));
    }

    [Test]
    public void Without_a_sign_in_callers_are_refused_as_not_signed_in()
    {
        var signedOut = Assert.ThrowsAsync<SignedOutException>(() => Session.GetAccessTokenAsync(CancellationToken.None));

        Assert.That(signedOut!.Reason, Is.EqualTo(SignedOutReason.NotSignedIn));
        Assert.That(TokenService.RefreshRequests, Is.Zero);
    }

    [Test]
    public async Task Tokens_saved_by_an_earlier_run_are_used_without_signing_in()
    {
        await SignInAsync();
        using var restarted = new AppTokenClient(new HttpClient(TokenService), Options, Store, Time);

        var token = await restarted.GetAccessTokenAsync(CancellationToken.None);

        Assert.That(token, Is.EqualTo(TokenService.Latest.AccessToken));
        Assert.That(TokenService.PasswordRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task Sign_out_revokes_the_session_clears_the_store_and_raises_signed_out()
    {
        await SignInAsync();

        var confirmed = await Session.SignOutAsync(CancellationToken.None);

        Assert.That(confirmed, Is.True);
        Assert.That(TokenService.SessionEnded, Is.True);
        Assert.That(await Store.LoadAsync(CancellationToken.None), Is.Null);
        Assert.That(SignedOutEvents, Is.EqualTo(new[] { SignedOutReason.UserSignedOut }));
        var refused = Assert.ThrowsAsync<SignedOutException>(() => Session.GetAccessTokenAsync(CancellationToken.None));
        Assert.That(refused!.Reason, Is.EqualTo(SignedOutReason.UserSignedOut));
    }

    [Test]
    public async Task Sign_out_while_offline_still_forgets_the_tokens_and_reports_the_session_unconfirmed()
    {
        using var offline = new AppTokenClient(new HttpClient(new UnreachableHandler()), Options, Store, Time);
        await SignInAsync();

        var confirmed = await offline.SignOutAsync(CancellationToken.None);

        Assert.That(confirmed, Is.False);
        Assert.That(await Store.LoadAsync(CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task No_token_password_or_refresh_token_reaches_the_logs()
    {
        await SignInAsync();
        var secrets = new List<string> { FakeTokenService.Password, TokenService.Latest.AccessToken, TokenService.Latest.RefreshToken };
        ExpireAccessToken();
        TokenService.LoseRefreshAnswers(1);
        await Session.GetAccessTokenAsync(CancellationToken.None);
        secrets.AddRange([TokenService.Latest.AccessToken, TokenService.Latest.RefreshToken]);
        TokenService.RevokeSession();
        ExpireAccessToken();
        Assert.ThrowsAsync<SignedOutException>(() => Session.GetAccessTokenAsync(CancellationToken.None));

        Assert.That(Logs.Lines, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(Logs.Lines, Has.None.Matches<string>(line => secrets.Exists(line.Contains)));
    }

    [Test]
    public void A_plain_http_authority_is_refused_unless_allowed()
    {
        var options = Options;
        options.Authority = new Uri("http://gateway.test");

        Assert.That(() => new AppTokenClient(new HttpClient(TokenService), options, Store, Time), Throws.ArgumentException.With.Message.Contains("https"));
    }

    [Test]
    public void An_allowed_plain_http_authority_is_warned_about()
    {
        var options = Options;
        options.Authority = new Uri("http://127.0.0.1:5100");
        options.AllowInsecureHttp = true;

        using var insecure = new AppTokenClient(new HttpClient(TokenService), options, Store, Time, Logs);

        Assert.That(Logs.Lines, Has.One.StartsWith("8006 "));
    }

    private sealed class UnreachableHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("No route to host.");
    }
}
