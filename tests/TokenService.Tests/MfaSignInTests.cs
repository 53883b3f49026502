using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using TokenService.Audit;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>
/// Signing in with MFA on: a correct password earns an mfa_token, not tokens; the token and a TOTP code (or a
/// recovery code) complete the sign-in. Codes and tokens are single use; wrong codes count toward lockout.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class MfaSignInTests(DatabaseProvider provider) : MfaFixture(provider)
{
    [Test]
    public async Task A_correct_password_yields_mfa_required_with_an_mfa_token_and_no_tokens()
    {
        var user = await NewMfaUserAsync();

        using var response = await Client.PasswordGrantAsync(user.Name, Password);
        var body = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("mfa_required"));
            Assert.That(body.GetProperty("error_description").GetString(), Is.Not.Empty);
            Assert.That(body.GetProperty("mfa_token").GetString(), Has.Length.EqualTo(43));
            Assert.That(body.TryGetProperty("access_token", out _), Is.False);
            Assert.That(body.TryGetProperty("refresh_token", out _), Is.False);
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        });
    }

    [Test]
    public async Task A_wrong_password_answers_exactly_like_an_unknown_user()
    {
        var user = await NewMfaUserAsync();

        using var forMfaUser = await Client.PasswordGrantAsync(user.Name, "not-the-password-at-all");
        using var forUnknownUser = await Client.PasswordGrantAsync($"nobody-{Guid.NewGuid():N}", "not-the-password-at-all");
        var mfaUser = await forMfaUser.WholeAnswerAsync();
        var unknown = await forUnknownUser.WholeAnswerAsync();

        Assert.That(mfaUser, Is.EqualTo(unknown));
        Assert.That(mfaUser, Does.StartWith("400").And.Contain("invalid_grant").And.Not.Contain("mfa"));
    }

    [Test]
    public async Task A_current_code_completes_the_sign_in_with_what_the_password_grant_would_return()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);

        using var response = await CompleteAsync(mfaToken, otp: Code(user.Secret));
        var body = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("orders inventory"));
            Assert.That(body.GetProperty("refresh_token").GetString(), Is.Not.Empty);
            Assert.That(new JsonWebToken(body.GetProperty("access_token").GetString()).Subject, Is.EqualTo(user.Id.ToString()));
        });
    }

    [Test]
    public async Task The_access_token_says_password_otp_and_mfa_and_when_the_user_authenticated()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);

        var token = new JsonWebToken(await CompleteAsync(mfaToken, otp: Code(user.Secret)).AccessTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(token.Claims.Where(c => c.Type == "amr").Select(c => c.Value), Is.EqualTo(new[] { "pwd", "otp", "mfa" }));
            Assert.That(long.Parse(token.GetClaim("auth_time").Value, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(Clock.GetUtcNow().ToUnixTimeSeconds()));
        });
    }

    [Test]
    public async Task A_refreshed_token_keeps_the_sessions_amr_and_auth_time()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);
        using var completed = await CompleteAsync(mfaToken, otp: Code(user.Secret));
        var first = await completed.JsonAsync();
        var signedInAt = Clock.GetUtcNow().ToUnixTimeSeconds();
        Clock.Advance(TimeSpan.FromMinutes(3));

        var refreshed = new JsonWebToken(await Client.RefreshAsync(first.GetProperty("refresh_token").GetString()!).AccessTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(refreshed.Claims.Where(c => c.Type == "amr").Select(c => c.Value), Is.EqualTo(new[] { "pwd", "otp", "mfa" }));
            Assert.That(refreshed.GetClaim("auth_time").Value, Is.EqualTo(signedInAt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [TestCase(1, HttpStatusCode.OK, TestName = "A_code_one_step_old_is_still_accepted")]
    [TestCase(2, HttpStatusCode.BadRequest, TestName = "A_code_two_steps_old_is_refused")]
    public async Task Codes_are_accepted_one_step_either_side_of_now(int stepsOld, HttpStatusCode expected)
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);
        var code = Code(user.Secret);
        Clock.Advance(TimeSpan.FromSeconds(30) * stepsOld);

        using var response = await CompleteAsync(mfaToken, otp: code);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_code_accepted_once_is_refused_when_replayed_with_a_new_mfa_token()
    {
        var user = await NewMfaUserAsync();
        var code = Code(user.Secret);
        (await CompleteAsync(await MfaTokenAsync(user), otp: code)).Dispose();

        using var replayed = await CompleteAsync(await MfaTokenAsync(user), otp: code);

        Assert.That(replayed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await replayed.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task A_code_of_a_step_before_the_last_accepted_one_is_refused()
    {
        var user = await NewMfaUserAsync();
        var earlier = Code(user.Secret);
        NextStep();
        (await CompleteAsync(await MfaTokenAsync(user), otp: Code(user.Secret))).Dispose();

        using var response = await CompleteAsync(await MfaTokenAsync(user), otp: earlier);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task One_code_sent_in_parallel_through_two_instances_signs_in_once()
    {
        var user = await NewMfaUserAsync();
        var mfaTokens = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            mfaTokens.Add(await MfaTokenAsync(user));
        }

        await using var secondInstance = CreateInstance();
        using var secondClient = secondInstance.CreateClient();
        var code = Code(user.Secret);
        var answers = await Task.WhenAll(mfaTokens.Select(async (mfaToken, i) =>
        {
            using var response = await CompleteAsync(mfaToken, otp: code, through: i % 2 == 0 ? Client : secondClient);
            return response.StatusCode;
        }));

        Assert.That(answers.Count(status => status == HttpStatusCode.OK), Is.EqualTo(1), string.Join(", ", answers));
    }

    [Test]
    public async Task The_mfa_token_is_single_use()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);
        (await CompleteAsync(mfaToken, otp: Code(user.Secret))).Dispose();
        NextStep();

        using var again = await CompleteAsync(mfaToken, otp: Code(user.Secret));

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_mfa_token_expires_after_five_minutes()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);
        Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        using var response = await CompleteAsync(mfaToken, otp: Code(user.Secret));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_mfa_token_dies_after_three_wrong_codes()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);
        for (var i = 0; i < 3; i++)
        {
            (await CompleteAsync(mfaToken, otp: WrongCode(user))).Dispose();
        }

        using var response = await CompleteAsync(mfaToken, otp: Code(user.Secret));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Wrong_codes_count_toward_lockout_and_a_correct_password_does_not_reset_the_count()
    {
        var user = await NewMfaUserAsync();
        var first = await MfaTokenAsync(user);
        for (var i = 0; i < 3; i++)
        {
            (await CompleteAsync(first, otp: WrongCode(user))).Dispose();
        }

        var second = await MfaTokenAsync(user);
        (await CompleteAsync(second, otp: WrongCode(user))).Dispose();
        (await CompleteAsync(second, otp: WrongCode(user))).Dispose();
        using var withPassword = await Client.PasswordGrantAsync(user.Name, Password);

        Assert.That(withPassword.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await withPassword.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task A_successful_second_factor_resets_the_failure_count()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);
        (await CompleteAsync(mfaToken, otp: WrongCode(user))).Dispose();
        (await CompleteAsync(mfaToken, otp: WrongCode(user))).Dispose();
        (await CompleteAsync(mfaToken, otp: Code(user.Secret))).Dispose();
        NextStep();
        var next = await MfaTokenAsync(user);
        for (var i = 0; i < 3; i++)
        {
            (await CompleteAsync(next, otp: WrongCode(user))).Dispose();
        }

        using var response = await CompleteAsync(await MfaTokenAsync(user), otp: Code(user.Secret));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_completed_second_factor_makes_the_address_familiar_to_the_account_lockout()
    {
        var user = await NewMfaUserAsync();
        (await CompleteAsync(await MfaTokenAsync(user, "10.4.0.1"), otp: Code(user.Secret), clientAddress: "10.4.0.1")).Dispose();
        await LockFromAsync(user, "10.4.0.2");

        using var fromTheFamiliarAddress = await Client.PasswordGrantFromAsync("10.4.0.1", user.Name, Password);

        Assert.That((await fromTheFamiliarAddress.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("mfa_required"));
    }

    [Test]
    public async Task A_correct_password_without_the_second_factor_does_not_make_the_address_familiar()
    {
        var user = await NewMfaUserAsync();
        await MfaTokenAsync(user, "10.4.1.1");
        await LockFromAsync(user, "10.4.1.2");

        using var fromThatAddress = await Client.PasswordGrantFromAsync("10.4.1.1", user.Name, Password);

        Assert.That((await fromThatAddress.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task A_recovery_code_completes_the_sign_in_once_without_claiming_otp()
    {
        var user = await NewMfaUserAsync();

        var token = new JsonWebToken(await CompleteAsync(await MfaTokenAsync(user), recoveryCode: user.RecoveryCodes[0].ToUpperInvariant()).AccessTokenAsync());
        using var reused = await CompleteAsync(await MfaTokenAsync(user), recoveryCode: user.RecoveryCodes[0]);

        Assert.Multiple(() =>
        {
            Assert.That(token.Claims.Where(c => c.Type == "amr").Select(c => c.Value), Is.EqualTo(new[] { "pwd", "mfa" }));
            Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task The_mfa_token_works_only_for_the_client_it_was_issued_to()
    {
        var user = await NewMfaUserAsync();
        await ChangeStoreAsync(async (database, _) =>
        {
            if (!await database.Clients.AnyAsync(c => c.ClientId == "other-app"))
            {
                database.Clients.Add(new Clients.Client
                {
                    ClientId = "other-app", DisplayName = "Another public app", AllowedGrantTypes = ["password"],
                    AllowedScopes = ["orders"], AllowedAudiences = ["orders-api"],
                });
            }
        });
        var mfaToken = await MfaTokenAsync(user);

        using var response = await Client.RequestAsync([
            new("grant_type", MfaGrant), new("client_id", "other-app"), new("mfa_token", mfaToken), new("otp", Code(user.Secret)),
        ]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task A_client_not_allowed_the_password_grant_may_not_use_the_mfa_grant()
    {
        using var response = await Client.RequestAsync(
            [new("grant_type", MfaGrant), new("mfa_token", new string('a', 43)), new("otp", "123456")], ("orders-service", TokenServiceHost.OrdersServiceSecret));

        Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("unauthorized_client"));
    }

    [Test]
    public async Task Sign_in_events_are_audited()
    {
        var user = await NewMfaUserAsync();
        var mfaToken = await MfaTokenAsync(user);
        (await CompleteAsync(mfaToken, otp: WrongCode(user))).Dispose();
        (await CompleteAsync(mfaToken, otp: Code(user.Secret))).Dispose();
        (await CompleteAsync(await MfaTokenAsync(user), recoveryCode: user.RecoveryCodes[1])).Dispose();

        var events = new List<AuditEvent>();
        await ChangeStoreAsync(async (database, _) => events = await database.AuditEvents.Where(e => e.UserId == user.Id).OrderBy(e => e.Id).ToListAsync());

        Assert.That(events.Select(e => (e.Type, e.Detail)).Where(e => e.Type.StartsWith("mfa_", StringComparison.Ordinal)), Is.EqualTo(new (string, string?)[]
        {
            ("mfa_enrollment_started", null), ("mfa_enabled", null),
            ("mfa_challenge_issued", null), ("mfa_login_failed", "wrong_otp"), ("mfa_login_succeeded", "otp"),
            ("mfa_challenge_issued", null), ("mfa_login_succeeded", "recovery_code"), ("mfa_recovery_code_used", "9 left"),
        }));
    }

    [Test]
    public async Task Discovery_lists_the_mfa_grant()
    {
        using var response = await Client.GetAsync("/.well-known/openid-configuration");

        Assert.That((await response.JsonAsync()).GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()), Does.Contain(MfaGrant));
    }

    /// <summary>A well-formed code that is none of the codes valid around now.</summary>
    private string WrongCode(MfaUser user)
    {
        var valid = new[] { Code(user.Secret, -1), Code(user.Secret), Code(user.Secret, 1) };
        return Enumerable.Range(0, 4).Select(i => $"{i}{i}{i}{i}{i}{i}").First(code => !valid.Contains(code));
    }

    private async Task LockFromAsync(MfaUser user, string address)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var response = await Client.PasswordGrantFromAsync(address, user.Name, $"guess-{attempt}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }
}
