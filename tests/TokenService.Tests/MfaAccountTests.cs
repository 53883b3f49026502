using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using TokenService.Data;
using TokenService.Keys;

namespace TokenService.Tests;

/// <summary>
/// A user manages their own MFA under /account/mfa: enroll, confirm with a first code (recovery codes, once),
/// new recovery codes with a current code, disable with a code or the password. Operators can reset it.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class MfaAccountTests(DatabaseProvider provider) : MfaFixture(provider)
{
    [Test]
    public async Task Enrolling_returns_a_base32_secret_and_an_otpauth_uri_with_issuer_and_account()
    {
        var name = $"enroll-{Guid.NewGuid():N}";
        await AddUserAsync(name, Password);
        var (access, _) = await Client.SignInAsync(name, Password);

        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/enrollment", body: null, access);
        var body = await response.JsonAsync();
        var secret = body.GetProperty("secret").GetString()!;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(secret, Does.Match("^[A-Z2-7]{32}$"));
            Assert.That(body.GetProperty("otpauthUri").GetString(), Is.EqualTo(
                $"otpauth://totp/auth.test:{name}?secret={secret}&issuer=auth.test&algorithm=SHA1&digits=6&period=30"));
        });
    }

    [Test]
    public async Task An_enrollment_stays_pending_and_sign_in_needs_no_code_until_it_is_confirmed()
    {
        var name = $"pending-{Guid.NewGuid():N}";
        await AddUserAsync(name, Password);
        var (access, _) = await Client.SignInAsync(name, Password);
        await StartEnrollmentAsync(access);

        using var status = await Client.SendJsonAsync(HttpMethod.Get, "/account/mfa", body: null, access);
        using var signIn = await Client.PasswordGrantAsync(name, Password);

        var body = await status.JsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("enabled").GetBoolean(), Is.False);
            Assert.That(body.GetProperty("pending").GetBoolean(), Is.True);
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_wrong_first_code_leaves_mfa_off()
    {
        var name = $"wrong-first-{Guid.NewGuid():N}";
        await AddUserAsync(name, Password);
        var (access, _) = await Client.SignInAsync(name, Password);
        var secret = await StartEnrollmentAsync(access);

        using var confirmed = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/enrollment/confirm", new { code = Code(secret, stepsAgo: 3) }, access);
        using var signIn = await Client.PasswordGrantAsync(name, Password);

        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Confirming_turns_mfa_on_and_shows_ten_distinct_recovery_codes_once()
    {
        var user = await NewMfaUserAsync();

        using var again = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/enrollment/confirm", new { code = Code(user.Secret) }, user.Access);
        using var status = await Client.SendJsonAsync(HttpMethod.Get, "/account/mfa", body: null, user.Access);
        var body = await status.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(user.RecoveryCodes, Has.Count.EqualTo(10).And.Unique.And.All.Match("^[a-z2-7]{4}(-[a-z2-7]{4}){3}$"));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(body.GetProperty("enabled").GetBoolean(), Is.True);
            Assert.That(body.GetProperty("recoveryCodesLeft").GetInt32(), Is.EqualTo(10));
        });
    }

    [Test]
    public async Task The_secret_is_stored_sealed_and_recovery_codes_only_as_hashes()
    {
        var user = await NewMfaUserAsync();

        byte[] stored = [], opened = [];
        var hashes = new List<byte[]>();
        await ChangeStoreAsync(async (database, services) =>
        {
            stored = (await database.UserMfa.SingleAsync(m => m.UserId == user.Id)).SealedSecret;
            opened = services.GetRequiredService<KeyEncryption>().Open($"mfa:{user.Id}", stored);
            hashes = await database.MfaRecoveryCodes.Where(c => c.UserId == user.Id).Select(c => c.CodeHash).ToListAsync();
        });

        Assert.Multiple(() =>
        {
            Assert.That(opened, Is.EqualTo(user.Secret));
            Assert.That(Convert.ToHexString(stored), Does.Not.Contain(Convert.ToHexString(user.Secret)));
            Assert.That(hashes, Has.Count.EqualTo(10).And.All.Length.EqualTo(32));
        });
    }

    [Test]
    public async Task Enrolling_again_while_mfa_is_on_is_a_conflict()
    {
        var user = await NewMfaUserAsync();

        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/enrollment", body: null, user.Access);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task New_recovery_codes_need_a_current_code_and_retire_the_old_ones()
    {
        var user = await NewMfaUserAsync();

        using var refused = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/recovery-codes", new { code = Code(user.Secret, stepsAgo: 3) }, user.Access);
        using var renewed = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/recovery-codes", new { code = Code(user.Secret) }, user.Access);
        var fresh = (await renewed.JsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        using var withOld = await CompleteAsync(await MfaTokenAsync(user), recoveryCode: user.RecoveryCodes[0]);
        using var withNew = await CompleteAsync(await MfaTokenAsync(user), recoveryCode: fresh[0]);

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(renewed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(fresh, Has.Length.EqualTo(10).And.No.AnyOf(user.RecoveryCodes.ToArray()));
            Assert.That(withOld.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(withNew.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Disabling_with_a_wrong_code_or_password_changes_nothing()
    {
        var user = await NewMfaUserAsync();

        using var wrongCode = await DisableAsync(user, new { code = Code(user.Secret, stepsAgo: 3) });
        using var wrongPassword = await DisableAsync(user, new { password = "not-the-password-at-all" });
        using var neither = await DisableAsync(user, new { });
        using var signIn = await Client.PasswordGrantAsync(user.Name, Password);

        Assert.Multiple(() =>
        {
            Assert.That(wrongCode.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(wrongPassword.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(neither.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Disabling_with_a_current_code_or_the_password_turns_mfa_off(bool withCode)
    {
        var user = await NewMfaUserAsync();

        using var disabled = await DisableAsync(user, withCode ? new { code = Code(user.Secret) } : new { password = Password });
        using var signIn = await Client.PasswordGrantAsync(user.Name, Password);

        Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Wrong_codes_on_the_account_api_count_toward_lockout()
    {
        var user = await NewMfaUserAsync();
        for (var i = 0; i < 5; i++)
        {
            (await DisableAsync(user, new { code = Code(user.Secret, stepsAgo: 3 + i) })).Dispose();
        }

        using var withCorrectCode = await DisableAsync(user, new { code = Code(user.Secret) });
        using var signIn = await Client.PasswordGrantAsync(user.Name, Password);

        Assert.That(withCorrectCode.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task An_operator_resets_a_users_mfa_and_the_password_alone_signs_in_again()
    {
        var user = await NewMfaUserAsync();
        var (admin, _) = await Client.SignInAsync("admin", TokenServiceHost.AdminPassword);

        using var asUser = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/mfa", body: null, user.Access);
        using var reset = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/mfa", body: null, admin);
        using var unknown = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/users/{Guid.NewGuid()}/mfa", body: null, admin);
        using var signIn = await Client.PasswordGrantAsync(user.Name, Password);

        Assert.Multiple(() =>
        {
            Assert.That(asUser.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Account_changes_are_audited_with_the_change()
    {
        var user = await NewMfaUserAsync();
        (await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/recovery-codes", new { code = Code(user.Secret) }, user.Access)).Dispose();
        NextStep();
        (await DisableAsync(user, new { code = Code(user.Secret, stepsAgo: 3) })).Dispose();
        (await DisableAsync(user, new { code = Code(user.Secret) })).Dispose();
        var (admin, _) = await Client.SignInAsync("admin", TokenServiceHost.AdminPassword);
        (await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/mfa", body: null, admin)).Dispose();

        var types = new List<string>();
        await ChangeStoreAsync(async (database, _) => types = await database.AuditEvents.Where(e => e.UserId == user.Id && e.Type.StartsWith("mfa_"))
            .OrderBy(e => e.Id).Select(e => e.Type).ToListAsync());

        Assert.That(types, Is.EqualTo(new[]
        {
            "mfa_enrollment_started", "mfa_enabled", "mfa_recovery_codes_regenerated", "mfa_verification_failed", "mfa_disabled",
        }));
    }

    private Task<HttpResponseMessage> DisableAsync(MfaUser user, object body) =>
        Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/disable", body, user.Access);
}
