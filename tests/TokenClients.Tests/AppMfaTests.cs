using NUnit.Framework;
using TokenClients.AppTokens;
using TokenClients.ClientCredentials;

namespace TokenClients.Tests;

/// <summary>A user with MFA on: sign-in surfaces mfa_required with its mfa_token; a code (or recovery code) completes it.</summary>
public sealed class AppMfaTests : AppClientTestBase
{
    [SetUp]
    public void TurnOnMfa() => TokenService.RequireMfa = true;

    [Test]
    public async Task A_correct_password_throws_MfaRequiredException_with_the_mfa_token_and_stores_nothing()
    {
        var required = Assert.ThrowsAsync<MfaRequiredException>(SignInAsync);

        Assert.That(required!.MfaToken, Is.EqualTo(FakeTokenService.MfaToken));
        Assert.That(required.Message, Does.Not.Contain(FakeTokenService.MfaToken));
        Assert.That(await Session.IsSignedInAsync(CancellationToken.None), Is.False);
    }

    [Test]
    public async Task A_code_completes_the_sign_in_and_the_session_works_like_any_other_without_logging_token_or_code()
    {
        var required = Assert.ThrowsAsync<MfaRequiredException>(SignInAsync);

        await Session.CompleteMfaAsync(required!.MfaToken, FakeTokenService.Otp, CancellationToken.None);
        ExpireAccessToken();
        var refreshed = await Session.GetAccessTokenAsync(CancellationToken.None);

        Assert.That(TokenService.MfaForms.Single(), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["grant_type"] = FakeTokenService.MfaGrant, ["client_id"] = "mobile-app", ["mfa_token"] = FakeTokenService.MfaToken, ["otp"] = FakeTokenService.Otp,
        }));
        Assert.That(refreshed, Is.EqualTo(TokenService.Latest.AccessToken));
        Assert.That(TokenService.RefreshRequests, Is.EqualTo(1));
        Assert.That(Logs.Lines, Is.Not.Empty.And.None.Contain(FakeTokenService.MfaToken).And.None.Contain(FakeTokenService.Otp));
    }

    [Test]
    public async Task A_recovery_code_completes_the_sign_in()
    {
        var required = Assert.ThrowsAsync<MfaRequiredException>(SignInAsync);

        await Session.CompleteMfaWithRecoveryCodeAsync(required!.MfaToken, FakeTokenService.RecoveryCode, CancellationToken.None);

        Assert.That(TokenService.MfaForms.Single()["recovery_code"], Is.EqualTo(FakeTokenService.RecoveryCode));
        Assert.That(await Session.IsSignedInAsync(CancellationToken.None), Is.True);
    }

    [Test]
    public async Task A_wrong_code_is_invalid_grant_and_stores_nothing()
    {
        var required = Assert.ThrowsAsync<MfaRequiredException>(SignInAsync);

        var refused = Assert.ThrowsAsync<TokenRequestException>(() => Session.CompleteMfaAsync(required!.MfaToken, "000000", CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo("invalid_grant"));
        Assert.That(refused.Message, Does.Not.Contain("000000").And.Not.Contain(FakeTokenService.MfaToken));
        Assert.That(await Session.IsSignedInAsync(CancellationToken.None), Is.False);
    }
}
