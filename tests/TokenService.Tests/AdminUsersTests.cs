using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>Operators with <c>users:manage</c> create, disable, enable and reset users and change their roles; all audited.</summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class AdminUsersTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string Password = "a-long-uncommon-passphrase";
    private string _admin = "";

    [OneTimeSetUp]
    public async Task SignInAsAdmin() => (_admin, _) = await Client.SignInAsync("admin", TokenServiceHost.AdminPassword);

    [Test]
    public async Task An_operator_creates_a_user_who_can_then_sign_in()
    {
        var name = NewName();
        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = name, password = Password, roles = new[] { "user" } }, _admin);
        using var signIn = await Client.PasswordGrantAsync(name, Password);

        Assert.Multiple(async () =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That((await created.JsonAsync()).GetProperty("roles")[0].GetString(), Is.EqualTo("user"));
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_taken_user_name_is_a_conflict()
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = " ALICE ", password = Password }, _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [TestCase("ad\u202Emin")]
    [TestCase("bob\u200B")]
    [TestCase("bob smith")]
    [TestCase("robert'); DROP TABLE users;--")]
    [TestCase("")]
    public async Task A_user_name_with_tricks_is_refused(string userName)
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName, password = Password }, _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("errors").TryGetProperty("userName", out _), Is.True);
    }

    [Test]
    public async Task Disabling_a_user_ends_their_sessions_and_sign_ins_until_enabled()
    {
        var (id, name) = await CreateAsync();
        var (_, refresh) = await Client.SignInAsync(name, Password);

        using var disabled = await Client.SendJsonAsync(HttpMethod.Post, $"/admin/users/{id}/disable", null, _admin);
        using var refreshed = await Client.RefreshAsync(refresh);
        using var whileDisabled = await Client.PasswordGrantAsync(name, Password);
        using var enabled = await Client.SendJsonAsync(HttpMethod.Post, $"/admin/users/{id}/enable", null, _admin);
        using var afterEnabled = await Client.PasswordGrantAsync(name, Password);

        Assert.Multiple(() =>
        {
            Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(whileDisabled.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(enabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(afterEnabled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Resetting_a_password_ends_the_users_sessions()
    {
        var (id, name) = await CreateAsync();
        var (_, refresh) = await Client.SignInAsync(name, Password);

        using var reset = await Client.SendJsonAsync(HttpMethod.Post, $"/admin/users/{id}/password", new { password = "an-operator-chosen-passphrase" }, _admin);
        using var refreshed = await Client.RefreshAsync(refresh);
        using var withNew = await Client.PasswordGrantAsync(name, "an-operator-chosen-passphrase");

        Assert.Multiple(() =>
        {
            Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(withNew.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task An_assigned_role_reaches_the_users_next_token_at_refresh()
    {
        var (id, name) = await CreateAsync();
        var (_, refresh) = await Client.SignInAsync(name, Password);

        (await Client.SendJsonAsync(HttpMethod.Put, $"/admin/users/{id}/roles/admin", null, _admin)).Dispose();
        using var refreshed = await Client.RefreshAsync(refresh);
        var token = new JsonWebToken((await refreshed.JsonAsync()).GetProperty("access_token").GetString());

        Assert.That(token.Claims.Where(c => c.Type == "roles").Select(c => c.Value), Does.Contain("admin"));
    }

    [Test]
    public async Task Without_the_permission_the_admin_api_is_forbidden()
    {
        var (alice, _) = await Client.SignInAsync("alice", TokenServiceHost.UserPassword);

        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = NewName(), password = Password }, alice);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Admin_actions_appear_in_the_audit_log_with_the_actor()
    {
        var (id, _) = await CreateAsync();
        (await Client.SendJsonAsync(HttpMethod.Post, $"/admin/users/{id}/disable", null, _admin)).Dispose();

        using var response = await Client.GetAsync($"/admin/audit?userId={id}", _admin);
        var events = (await response.JsonAsync()).GetProperty("events").EnumerateArray().ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.GetProperty("type").GetString()), Is.EqualTo(new[] { "user_disabled", "session_revoked", "user_created" }).Or
                .EqualTo(new[] { "session_revoked", "user_disabled", "user_created" }));
            Assert.That(events.Single(e => e.GetProperty("type").GetString() == "user_created").GetProperty("detail").GetString(), Does.StartWith("by "));
        });
    }

    [Test]
    public async Task The_audit_log_is_paged_and_filtered_by_type()
    {
        (await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword)).Dispose();
        (await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword)).Dispose();

        using var response = await Client.GetAsync("/admin/audit?type=login_succeeded&pageSize=1", _admin);
        var page = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(page.GetProperty("events").GetArrayLength(), Is.EqualTo(1));
            Assert.That(page.GetProperty("events")[0].GetProperty("type").GetString(), Is.EqualTo("login_succeeded"));
            Assert.That(page.GetProperty("hasMore").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task An_oversized_audit_page_is_a_bad_request()
    {
        using var response = await Client.GetAsync("/admin/audit?pageSize=5000", _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private static string NewName() => $"user-{Guid.NewGuid():N}";

    private async Task<(string Id, string Name)> CreateAsync()
    {
        var name = NewName();
        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = name, password = Password }, _admin);
        return ((await created.JsonAsync()).GetProperty("id").GetString()!, name);
    }
}

internal static class AuthorizedGet
{
    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, string token) =>
        client.SendRawAsync(HttpMethod.Get, path, null, "application/json", token);
}
