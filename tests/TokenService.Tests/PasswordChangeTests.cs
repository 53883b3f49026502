using System.Net;
using Microsoft.EntityFrameworkCore;
using NUnit.Framework;
using TokenService.Audit;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>A user changes their password with the current one; every session ends.</summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class PasswordChangeTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string OldPassword = "the-old-long-passphrase";
    private const string NewPassword = "a-brand-new-passphrase";

    [Test]
    public async Task Changing_the_password_lets_the_new_one_in_and_keeps_the_old_one_out()
    {
        var (user, access, _) = await NewSignedInUserAsync();

        using var changed = await ChangeAsync(access, OldPassword, NewPassword);
        using var withOld = await Client.PasswordGrantAsync(user, OldPassword);
        using var withNew = await Client.PasswordGrantAsync(user, NewPassword);

        Assert.Multiple(() =>
        {
            Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(withOld.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(withNew.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Changing_the_password_revokes_every_refresh_token_of_the_user()
    {
        var (user, access, refresh) = await NewSignedInUserAsync();
        var (_, otherDevice) = await Client.SignInAsync(user, OldPassword);

        (await ChangeAsync(access, OldPassword, NewPassword)).Dispose();
        using var refreshed = await Client.RefreshAsync(refresh);
        using var otherRefreshed = await Client.RefreshAsync(otherDevice);

        Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(otherRefreshed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Changing_the_password_forgets_the_addresses_familiar_to_the_account_lockout()
    {
        var (user, access, _) = await NewSignedInUserAsync();
        (await Client.PasswordGrantFromAsync("10.3.0.1", user, OldPassword)).Dispose();
        (await ChangeAsync(access, OldPassword, NewPassword)).Dispose();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            (await Client.PasswordGrantFromAsync("10.3.0.2", user, $"guess-{attempt}")).Dispose();
        }

        using var fromTheFormerlyFamiliarAddress = await Client.PasswordGrantFromAsync("10.3.0.1", user, NewPassword);

        Assert.That(fromTheFormerlyFamiliarAddress.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_wrong_current_password_changes_nothing_and_is_audited()
    {
        var (user, access, refresh) = await NewSignedInUserAsync();

        using var response = await ChangeAsync(access, "not-the-old-password", NewPassword);
        using var refreshed = await Client.RefreshAsync(refresh);
        using var withOld = await Client.PasswordGrantAsync(user, OldPassword);

        var audited = false;
        await ChangeStoreAsync(async (database, _) => audited = await database.AuditEvents.AnyAsync(e => e.Type == AuditEventTypes.PasswordChangeFailed));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(withOld.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(audited, Is.True);
        });
    }

    [Test]
    public async Task Wrong_current_passwords_count_toward_lockout()
    {
        var (user, access, _) = await NewSignedInUserAsync();
        for (var i = 0; i < 5; i++)
        {
            (await ChangeAsync(access, $"wrong-guess-{i}-long", NewPassword)).Dispose();
        }

        using var response = await Client.PasswordGrantAsync(user, OldPassword);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_new_password_that_breaks_the_policy_is_refused()
    {
        var (_, access, _) = await NewSignedInUserAsync();

        using var response = await ChangeAsync(access, OldPassword, "qwerty123456");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("errors").TryGetProperty("newPassword", out _), Is.True);
    }

    [Test]
    public async Task Changing_the_password_needs_a_token()
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/account/password", new { currentPassword = OldPassword, newPassword = NewPassword });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private async Task<(string User, string Access, string Refresh)> NewSignedInUserAsync()
    {
        var user = $"user-{Guid.NewGuid():N}";
        await AddUserAsync(user, OldPassword);
        var (access, refresh) = await Client.SignInAsync(user, OldPassword);
        return (user, access, refresh);
    }

    private Task<HttpResponseMessage> ChangeAsync(string access, string current, string next) =>
        Client.SendJsonAsync(HttpMethod.Post, "/account/password", new { currentPassword = current, newPassword = next }, access);
}
