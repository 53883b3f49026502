using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>
/// Operators with <c>roles:manage</c> manage roles and the permission catalogue; a change reaches every holder's next
/// token; all of it is audited with the operator.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class AdminRolesTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string Password = "a-long-uncommon-passphrase";
    private string _admin = "";
    private string _alice = "";

    [OneTimeSetUp]
    public async Task SignIn()
    {
        (_admin, _) = await Client.SignInAsync("admin", TokenServiceHost.AdminPassword);
        (_alice, _) = await Client.SignInAsync("alice", TokenServiceHost.UserPassword);
    }

    [Test]
    public async Task Roles_are_listed_with_their_permissions_default_flag_and_number_of_users()
    {
        using var response = await Client.GetAsync("/admin/roles", _admin);
        var user = (await response.JsonAsync()).EnumerateArray().Single(r => r.GetProperty("name").GetString() == "user");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Strings(user.GetProperty("permissions")), Is.EqualTo(new[] { "inventory:read", "orders:read", "orders:write" }));
            Assert.That(user.GetProperty("isDefault").GetBoolean(), Is.True);
            Assert.That(user.GetProperty("users").GetInt32(), Is.GreaterThanOrEqualTo(2));
        });
    }

    [Test]
    public async Task An_operator_creates_a_role_with_permissions_and_reads_it_back()
    {
        var name = NewRoleName();

        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/roles",
            new { name, description = "Keeps the stock right", permissions = new[] { "inventory:write", "inventory:read" } }, _admin);
        using var read = await Client.GetAsync($"/admin/roles/{name}", _admin);
        var role = await read.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(created.Headers.Location?.ToString(), Is.EqualTo($"/admin/roles/{name}"));
            Assert.That(role.GetProperty("description").GetString(), Is.EqualTo("Keeps the stock right"));
            Assert.That(Strings(role.GetProperty("permissions")), Is.EqualTo(new[] { "inventory:read", "inventory:write" }));
            Assert.That(role.GetProperty("isDefault").GetBoolean(), Is.False);
        });
    }

    public static IEnumerable<TestCaseData> NamesBreakingTheRules() =>
    [
        .. new[] { "Admin", "ops team", "ops\u202Eteam", "orders:admin", "1st-line", "", "ops\n" }.Select(name => new TestCaseData("/admin/roles", name)),
        .. new[] { "reports", "Reports:Read", "reports:read:all", "reports: read", ":read", "reports:", "r\u00E9ports:read", "reports:read\n" }
            .Select(name => new TestCaseData("/admin/permissions", name)),
    ];

    [TestCaseSource(nameof(NamesBreakingTheRules))]
    public async Task A_role_or_permission_name_that_breaks_the_rules_is_refused(string path, string name)
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Post, path, new { name }, _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("errors").TryGetProperty("name", out _), Is.True);
    }

    [Test]
    public async Task A_new_role_naming_an_unknown_permission_is_refused()
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/roles", new { name = NewRoleName(), permissions = new[] { "nothing:here" } }, _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("errors").TryGetProperty("permissions", out _), Is.True);
    }

    [Test]
    public async Task A_taken_role_name_is_a_conflict_for_a_new_role_and_for_a_rename()
    {
        var name = await CreateRoleAsync();

        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/roles", new { name = "admin" }, _admin);
        using var renamed = await Client.SendJsonAsync(HttpMethod.Put, $"/admin/roles/{name}", new { name = "user", description = (string?)null, isDefault = false }, _admin);

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        });
    }

    [Test]
    public async Task Renaming_a_role_renames_it_in_its_holders_next_token()
    {
        var name = await CreateRoleAsync();
        var (_, refresh) = await SignInNewUserAsync(name);
        var newName = NewRoleName();

        using var renamed = await Client.SendJsonAsync(HttpMethod.Put, $"/admin/roles/{name}", new { name = newName, description = "Renamed", isDefault = false }, _admin);
        using var oldName = await Client.GetAsync($"/admin/roles/{name}", _admin);
        var roles = await RolesAfterRefreshAsync(refresh);

        Assert.Multiple(async () =>
        {
            Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await renamed.JsonAsync()).GetProperty("users").GetInt32(), Is.EqualTo(1));
            Assert.That(oldName.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(roles, Does.Contain(newName).And.Not.Contain(name));
        });
    }

    [Test]
    public async Task A_permission_granted_to_a_role_reaches_every_holders_next_token_and_a_revoked_one_leaves_it()
    {
        var name = await CreateRoleAsync();
        var (_, first) = await SignInNewUserAsync(name);
        var (_, second) = await SignInNewUserAsync(name);

        using var granted = await Client.SendJsonAsync(HttpMethod.Put, $"/admin/roles/{name}/permissions/orders:admin", null, _admin);
        var (firstAfterGrant, firstNext) = await PermissionsAfterRefreshAsync(first);
        var (secondAfterGrant, _) = await PermissionsAfterRefreshAsync(second);
        using var revoked = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/roles/{name}/permissions/orders:admin", null, _admin);
        var (firstAfterRevoke, _) = await PermissionsAfterRefreshAsync(firstNext);

        Assert.Multiple(() =>
        {
            Assert.That(granted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(firstAfterGrant, Does.Contain("orders:admin"));
            Assert.That(secondAfterGrant, Does.Contain("orders:admin"));
            Assert.That(firstAfterRevoke, Does.Not.Contain("orders:admin"));
        });
    }

    [Test]
    public async Task Granting_an_unknown_permission_or_to_an_unknown_role_is_not_found()
    {
        var name = await CreateRoleAsync();

        using var unknownPermission = await Client.SendJsonAsync(HttpMethod.Put, $"/admin/roles/{name}/permissions/nothing:here", null, _admin);
        using var unknownRole = await Client.SendJsonAsync(HttpMethod.Put, "/admin/roles/no-such-role/permissions/orders:read", null, _admin);

        Assert.Multiple(() =>
        {
            Assert.That(unknownPermission.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknownRole.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task A_role_still_assigned_to_a_user_is_not_deleted_until_it_is_removed_from_them()
    {
        var name = await CreateRoleAsync();
        var userId = await CreateUserAsync(new[] { name });

        using var refused = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/roles/{name}", null, _admin);
        (await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/users/{userId}/roles/{name}", null, _admin)).Dispose();
        using var deleted = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/roles/{name}", null, _admin);
        using var afterwards = await Client.GetAsync($"/admin/roles/{name}", _admin);

        Assert.Multiple(async () =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That((await refused.JsonAsync()).GetProperty("detail").GetString(), Does.Contain("1 users"));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task A_default_role_goes_to_new_users_unless_the_operator_names_their_roles()
    {
        var name = NewRoleName();
        (await Client.SendJsonAsync(HttpMethod.Post, "/admin/roles", new { name, isDefault = true }, _admin)).Dispose();
        try
        {
            using var withDefaults = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = NewUserName(), password = Password }, _admin);
            using var withNone = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = NewUserName(), password = Password, roles = Array.Empty<string>() }, _admin);

            Assert.Multiple(async () =>
            {
                Assert.That(Strings((await withDefaults.JsonAsync()).GetProperty("roles")), Is.EquivalentTo(new[] { name, "user" }));
                Assert.That((await withNone.JsonAsync()).GetProperty("roles").GetArrayLength(), Is.Zero);
            });
        }
        finally
        {
            (await Client.SendJsonAsync(HttpMethod.Put, $"/admin/roles/{name}", new { name, description = (string?)null, isDefault = false }, _admin)).Dispose();
        }
    }

    [Test]
    public async Task Permissions_are_listed_with_the_roles_that_grant_them()
    {
        using var response = await Client.GetAsync("/admin/permissions", _admin);
        var ordersRead = (await response.JsonAsync()).EnumerateArray().Single(p => p.GetProperty("name").GetString() == "orders:read");

        Assert.That(Strings(ordersRead.GetProperty("roles")), Is.EqualTo(new[] { "admin", "user" }));
    }

    [Test]
    public async Task An_operator_creates_a_permission_and_deletes_it_while_unused()
    {
        var name = $"reports-{Guid.NewGuid():N}:read";

        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/permissions", new { name }, _admin);
        using var again = await Client.SendJsonAsync(HttpMethod.Post, "/admin/permissions", new { name }, _admin);
        using var deleted = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/permissions/{name}", null, _admin);
        using var deletedAgain = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/permissions/{name}", null, _admin);

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(deletedAgain.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task A_permission_a_role_still_grants_is_not_deleted()
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Delete, "/admin/permissions/orders:read", null, _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await response.JsonAsync()).GetProperty("detail").GetString(), Does.Contain("admin, user"));
    }

    [Test]
    public async Task A_body_with_an_unknown_member_is_refused_and_changes_nothing()
    {
        var name = NewRoleName();

        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/roles", new { name, users = new[] { "alice" } }, _admin);
        using var afterwards = await Client.GetAsync($"/admin/roles/{name}", _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Role_and_permission_changes_are_audited_with_the_operator()
    {
        var name = await CreateRoleAsync();
        (await Client.SendJsonAsync(HttpMethod.Put, $"/admin/roles/{name}/permissions/orders:read", null, _admin)).Dispose();
        (await Client.SendJsonAsync(HttpMethod.Put, $"/admin/roles/{name}/permissions/orders:read", null, _admin)).Dispose();
        var operatorId = new JsonWebToken(_admin).Subject;

        using var response = await Client.GetAsync($"/admin/audit?userId={operatorId}&type=permission_granted", _admin);
        var details = (await response.JsonAsync()).GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("detail").GetString()).Where(d => d!.StartsWith($"role {name} ", StringComparison.Ordinal)).ToArray();

        Assert.That(details, Is.EqualTo(new[] { $"role {name} permission orders:read by {operatorId}" }), "one row: granting twice changes nothing the second time");
    }

    public static IEnumerable<TestCaseData> ProtectedRoutes() =>
    [
        new(HttpMethod.Get, "/admin/roles", "roles:manage"),
        new(HttpMethod.Post, "/admin/roles", "roles:manage"),
        new(HttpMethod.Put, "/admin/roles/user", "roles:manage"),
        new(HttpMethod.Delete, "/admin/roles/user", "roles:manage"),
        new(HttpMethod.Put, "/admin/roles/user/permissions/orders:admin", "roles:manage"),
        new(HttpMethod.Get, "/admin/permissions", "roles:manage"),
        new(HttpMethod.Post, "/admin/permissions", "roles:manage"),
        new(HttpMethod.Delete, "/admin/permissions/orders:read", "roles:manage"),
        new(HttpMethod.Get, "/admin/clients", "clients:manage"),
        new(HttpMethod.Post, "/admin/clients", "clients:manage"),
        new(HttpMethod.Put, "/admin/clients/orders-service", "clients:manage"),
        new(HttpMethod.Post, "/admin/clients/orders-service/secret", "clients:manage"),
        new(HttpMethod.Delete, "/admin/clients/orders-service/secret/previous", "clients:manage"),
        new(HttpMethod.Post, "/admin/clients/orders-service/disable", "clients:manage"),
        new(HttpMethod.Delete, "/admin/clients/orders-service", "clients:manage"),
    ];

    [TestCaseSource(nameof(ProtectedRoutes))]
    public async Task Without_a_token_the_route_is_unauthorized(HttpMethod method, string path, string permission)
    {
        using var response = await Client.SendJsonAsync(method, path, new { });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), permission);
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [TestCaseSource(nameof(ProtectedRoutes))]
    public async Task Without_the_permission_the_route_is_forbidden(HttpMethod method, string path, string permission)
    {
        using var response = await Client.SendJsonAsync(method, path, new { }, _alice);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"alice lacks {permission}");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer error=\"insufficient_scope\""));
    }

    private static string NewRoleName() => $"role-{Guid.NewGuid():N}";

    private static string NewUserName() => $"user-{Guid.NewGuid():N}";

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private async Task<string> CreateRoleAsync()
    {
        var name = NewRoleName();
        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/roles", new { name }, _admin);
        created.EnsureSuccessStatusCode();
        return name;
    }

    private async Task<string> CreateUserAsync(string[] roles, string? userName = null)
    {
        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = userName ?? NewUserName(), password = Password, roles }, _admin);
        created.EnsureSuccessStatusCode();
        return (await created.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>A new user holding only <paramref name="role"/>, signed in with the mobile app.</summary>
    private async Task<(string Access, string Refresh)> SignInNewUserAsync(string role)
    {
        var userName = NewUserName();
        await CreateUserAsync([role], userName);
        return await Client.SignInAsync(userName, Password);
    }

    private async Task<string[]> RolesAfterRefreshAsync(string refresh)
    {
        using var refreshed = await Client.RefreshAsync(refresh);
        var token = new JsonWebToken((await refreshed.JsonAsync()).GetProperty("access_token").GetString());
        return [.. token.Claims.Where(c => c.Type == "roles").Select(c => c.Value)];
    }

    /// <summary>The permissions of the access token a refresh returns, and the next refresh token.</summary>
    private async Task<(string[] Permissions, string Refresh)> PermissionsAfterRefreshAsync(string refresh)
    {
        using var refreshed = await Client.RefreshAsync(refresh);
        var body = await refreshed.JsonAsync();
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        return ([.. token.Claims.Where(c => c.Type == "permissions").Select(c => c.Value)], body.GetProperty("refresh_token").GetString()!);
    }
}
