using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>
/// The admin API never locks every operator out (an enabled user holding <c>users:manage</c> and
/// <c>roles:manage</c> always remains), and identical grants sent at once all succeed and are audited once.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class OperatorSafetyTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string Password = "a-long-uncommon-passphrase";
    private const int Parallel = 8;
    private string _admin = "";
    private string _adminId = "";

    [OneTimeSetUp]
    public async Task SignInAsAdmin()
    {
        (_admin, _) = await Client.SignInAsync("admin", TokenServiceHost.AdminPassword);
        _adminId = new JsonWebToken(_admin).Subject;
    }

    public static IEnumerable<TestCaseData> ChangesLockingEveryOperatorOut() =>
    [
        new(HttpMethod.Delete, "/admin/roles/admin/permissions/users:manage"),
        new(HttpMethod.Delete, "/admin/roles/admin/permissions/roles:manage"),
        new(HttpMethod.Delete, "/admin/users/{admin}/roles/admin"),
        new(HttpMethod.Post, "/admin/users/{admin}/disable"),
    ];

    [TestCaseSource(nameof(ChangesLockingEveryOperatorOut))]
    public async Task A_change_leaving_no_operator_is_a_conflict_and_changes_nothing(HttpMethod method, string path)
    {
        using var response = await Client.SendJsonAsync(method, path.Replace("{admin}", _adminId, StringComparison.Ordinal), null, _admin);
        using var admin = await Client.GetAsync($"/admin/users/{_adminId}", _admin);
        using var role = await Client.GetAsync("/admin/roles/admin", _admin);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That((await response.JsonAsync()).GetProperty("detail").GetString(), Does.Contain("users:manage and roles:manage"));
            Assert.That((await admin.JsonAsync()).GetProperty("disabled").GetBoolean(), Is.False);
            Assert.That(Strings((await admin.JsonAsync()).GetProperty("roles")), Does.Contain("admin"));
            Assert.That(Strings((await role.JsonAsync()).GetProperty("permissions")), Is.SupersetOf(new[] { "users:manage", "roles:manage" }));
        });
    }

    [Test]
    public async Task An_operator_may_be_disabled_while_another_remains()
    {
        var second = await CreateUserAsync("admin");

        using var response = await Client.SendJsonAsync(HttpMethod.Post, $"/admin/users/{second}/disable", null, _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task Of_the_last_operators_removed_at_once_one_remains()
    {
        var role = await CreateRoleAsync("users:manage", "roles:manage");
        var operators = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CreateUserAsync(role)));
        using var demoted = await Client.SendJsonAsync(HttpMethod.Delete, "/admin/roles/admin/permissions/roles:manage", null, _admin);
        try
        {
            var responses = await Task.WhenAll(operators.Select(id => Client.SendJsonAsync(HttpMethod.Delete, $"/admin/users/{id}/roles/{role}", null, _admin)));
            using var holders = await Client.GetAsync($"/admin/roles/{role}", _admin);

            Assert.Multiple(async () =>
            {
                Assert.That(demoted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "the new operators remain");
                Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(1));
                Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.NoContent), Is.EqualTo(operators.Length - 1));
                Assert.That((await holders.JsonAsync()).GetProperty("users").GetInt32(), Is.EqualTo(1));
            });
            Array.ForEach(responses, r => r.Dispose());
        }
        finally
        {
            // The demo admin's access token still carries roles:manage until it is refreshed.
            (await Client.SendJsonAsync(HttpMethod.Put, "/admin/roles/admin/permissions/roles:manage", null, _admin)).Dispose();
        }
    }

    [Test]
    public async Task Identical_permission_grants_sent_at_once_all_succeed_and_are_audited_once()
    {
        var role = await CreateRoleAsync();

        var statuses = await SendAtOnceAsync(HttpMethod.Put, $"/admin/roles/{role}/permissions/orders:read");
        using var read = await Client.GetAsync($"/admin/roles/{role}", _admin);
        var audited = await AuditDetailsAsync($"userId={_adminId}&type=permission_granted");

        Assert.Multiple(async () =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.NoContent));
            Assert.That(Strings((await read.JsonAsync()).GetProperty("permissions")), Is.EqualTo(new[] { "orders:read" }));
            Assert.That(audited.Count(d => d.StartsWith($"role {role} ", StringComparison.Ordinal)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Identical_role_assignments_sent_at_once_all_succeed_and_are_audited_once()
    {
        var role = await CreateRoleAsync();
        var user = await CreateUserAsync();

        var statuses = await SendAtOnceAsync(HttpMethod.Put, $"/admin/users/{user}/roles/{role}");
        using var read = await Client.GetAsync($"/admin/users/{user}", _admin);
        var audited = await AuditDetailsAsync($"userId={user}&type=role_assigned");

        Assert.Multiple(async () =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.NoContent));
            Assert.That(Strings((await read.JsonAsync()).GetProperty("roles")), Is.EqualTo(new[] { role }));
            Assert.That(audited, Has.Length.EqualTo(1));
        });
    }

    [Test]
    public async Task Identical_role_removals_sent_at_once_all_succeed_and_are_audited_once()
    {
        var role = await CreateRoleAsync();
        var user = await CreateUserAsync(role);

        var statuses = await SendAtOnceAsync(HttpMethod.Delete, $"/admin/users/{user}/roles/{role}");
        var audited = await AuditDetailsAsync($"userId={user}&type=role_removed");

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.NoContent));
            Assert.That(audited, Has.Length.EqualTo(1));
        });
    }

    private async Task<HttpStatusCode[]> SendAtOnceAsync(HttpMethod method, string path)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => Client.SendJsonAsync(method, path, null, _admin)));
        var statuses = responses.Select(r => r.StatusCode).ToArray();
        Array.ForEach(responses, r => r.Dispose());
        return statuses;
    }

    private async Task<string[]> AuditDetailsAsync(string query)
    {
        using var response = await Client.GetAsync($"/admin/audit?{query}", _admin);
        return [.. (await response.JsonAsync()).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("detail").GetString()!)];
    }

    private async Task<string> CreateRoleAsync(params string[] permissions)
    {
        var name = $"role-{Guid.NewGuid():N}";
        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/roles", new { name, permissions }, _admin);
        created.EnsureSuccessStatusCode();
        return name;
    }

    private async Task<string> CreateUserAsync(params string[] roles)
    {
        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/users", new { userName = $"user-{Guid.NewGuid():N}", password = Password, roles }, _admin);
        created.EnsureSuccessStatusCode();
        return (await created.JsonAsync()).GetProperty("id").GetString()!;
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
