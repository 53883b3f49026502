using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>
/// Operators with <c>clients:manage</c> register clients with generated secrets and validated allowances, rotate secrets
/// without downtime, and disable or delete clients; the token endpoint follows every change at once, also for a client
/// it has just authenticated (whose record it keeps for <c>Clients:CacheLifetime</c>), and other instances within that
/// lifetime.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class AdminClientsTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private string _admin = "";

    [OneTimeSetUp]
    public async Task SignInAsAdmin() => (_admin, _) = await Client.SignInAsync("admin", TokenServiceHost.AdminPassword);

    [Test]
    public async Task A_confidential_client_gets_a_generated_secret_once_that_yields_tokens_within_its_allowance()
    {
        var clientId = NewClientId();

        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients", ServiceClient(clientId), _admin);
        var secret = (await created.JsonAsync()).GetProperty("clientSecret").GetString()!;
        var token = new JsonWebToken(await Client.ClientCredentialsAsync(clientId, secret).AccessTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(created.Headers.Location?.ToString(), Is.EqualTo($"/admin/clients/{clientId}"));
            Assert.That(created.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(secret, Does.Match("^[A-Za-z0-9_-]{43}$"), "256 random bits, base64url");
            Assert.That(token.Subject, Is.EqualTo(clientId));
            Assert.That(token.Audiences, Is.EqualTo(new[] { "reports-api" }));
            Assert.That(token.GetClaim("scope").Value, Is.EqualTo("reports:read reports:export"));
        });
    }

    [Test]
    public async Task A_created_client_is_refused_scopes_and_audiences_beyond_its_allowance()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));

        using var otherScope = await Client.ClientCredentialsAsync(clientId, secret, ("scope", "orders"));
        using var otherAudience = await Client.ClientCredentialsAsync(clientId, secret, ("resource", "orders-api"));

        Assert.Multiple(async () =>
        {
            Assert.That((await otherScope.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_scope"));
            Assert.That((await otherAudience.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_target"));
        });
    }

    [Test]
    public async Task No_client_view_carries_a_secret_or_its_hash()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));

        using var one = await Client.GetAsync($"/admin/clients/{clientId}", _admin);
        using var all = await Client.GetAsync("/admin/clients", _admin);
        var listed = (await all.JsonAsync()).EnumerateArray().ToArray();
        var bodies = await one.Content.ReadAsStringAsync() + await all.Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That((await one.JsonAsync()).EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            {
                "clientId", "displayName", "confidential", "grantTypes", "scopes", "audiences", "disabled", "previousSecretExpiresAt",
            }));
            Assert.That(listed.Select(c => c.GetProperty("clientId").GetString()), Does.Contain(clientId).And.Contain("mobile-app"));
            Assert.That(bodies, Does.Not.Contain(secret).And.Not.Contain(Convert.ToBase64String(TokenService.Clients.ClientSecrets.Hash(secret))));
        });
    }

    [Test]
    public async Task A_public_client_gets_no_secret_and_signs_users_in_with_sessions()
    {
        var clientId = NewClientId();

        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients", AppClient(clientId), _admin);
        using var signIn = await SignInAsync(clientId);

        Assert.Multiple(async () =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That((await created.JsonAsync()).GetProperty("clientSecret").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That((await created.JsonAsync()).GetProperty("client").GetProperty("confidential").GetBoolean(), Is.False);
            Assert.That((await signIn.JsonAsync()).TryGetProperty("refresh_token", out _), Is.True);
        });
    }

    public static IEnumerable<TestCaseData> InvalidRegistrations() =>
    [
        new TestCaseData("grantTypes", new[] { "implicit" }, "grantTypes").SetArgDisplayNames("an unknown grant type"),
        new TestCaseData("grantTypes", Array.Empty<string>(), "grantTypes").SetArgDisplayNames("no grant type"),
        new TestCaseData("grantTypes", new[] { "refresh_token", "client_credentials" }, "grantTypes").SetArgDisplayNames("refresh_token without password"),
        new TestCaseData("confidential", false, "grantTypes").SetArgDisplayNames("a public client with client_credentials"),
        new TestCaseData("audiences", Array.Empty<string>(), "audiences").SetArgDisplayNames("no audience"),
        new TestCaseData("audiences", new[] { "reports api" }, "audiences").SetArgDisplayNames("an audience with a space"),
        new TestCaseData("scopes", new[] { "reports read" }, "scopes").SetArgDisplayNames("a scope with a space"),
        new TestCaseData("scopes", new[] { "reports\"read" }, "scopes").SetArgDisplayNames("a scope with a quote"),
        new TestCaseData("scopes", new[] { "réports" }, "scopes").SetArgDisplayNames("a scope beyond ASCII"),
        new TestCaseData("clientId", "reports service", "clientId").SetArgDisplayNames("a client id with a space"),
        new TestCaseData("clientId", "ab", "clientId").SetArgDisplayNames("a two-character client id"),
        new TestCaseData("clientId", "reports\u202Eservice", "clientId").SetArgDisplayNames("a client id with a direction override"),
        new TestCaseData("clientId", "reports'; DROP TABLE clients;--", "clientId").SetArgDisplayNames("a client id with SQL"),
        new TestCaseData("displayName", "", "displayName").SetArgDisplayNames("an empty display name"),
        new TestCaseData("displayName", "Reports\u0007", "displayName").SetArgDisplayNames("a display name with a control character"),
    ];

    [TestCaseSource(nameof(InvalidRegistrations))]
    public async Task An_invalid_registration_is_refused_naming_the_field_and_changes_nothing(string member, object value, string field)
    {
        var body = ServiceClient(NewClientId());
        var clientId = (string)body["clientId"];
        body[member] = value;

        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients", body, _admin);
        using var afterwards = await Client.GetAsync($"/admin/clients/{Uri.EscapeDataString(clientId)}", _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), Is.True);
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_operator_cannot_choose_the_secret()
    {
        var body = ServiceClient(NewClientId());
        body["clientSecret"] = "an-operator-chosen-secret-that-is-long-enough";

        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients", body, _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_taken_client_id_is_a_conflict()
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients", ServiceClient("orders-service"), _admin);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Changed_allowances_apply_to_the_clients_next_token()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));

        using var widened = await UpdateAsync(clientId, new[] { "client_credentials" }, new[] { "reports:read", "reports:export", "reports:admin" }, new[] { "reports-api" });
        using var withNewScope = await Client.ClientCredentialsAsync(clientId, secret, ("scope", "reports:admin"));
        using var narrowed = await UpdateAsync(clientId, new[] { "client_credentials" }, new[] { "reports:read" }, new[] { "reports-api" });
        using var withRemovedScope = await Client.ClientCredentialsAsync(clientId, secret, ("scope", "reports:export"));

        Assert.Multiple(async () =>
        {
            Assert.That(widened.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await widened.JsonAsync()).GetProperty("scopes").GetArrayLength(), Is.EqualTo(3));
            Assert.That(withNewScope.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(narrowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await withRemovedScope.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_scope"));
        });
    }

    [Test]
    public async Task An_update_is_validated_like_a_registration()
    {
        var (clientId, _) = await CreateAsync(AppClient(NewClientId()));

        using var response = await UpdateAsync(clientId, new[] { "password", "client_credentials" }, new[] { "orders" }, new[] { "orders-api" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("errors").TryGetProperty("grantTypes", out _), Is.True);
    }

    [Test]
    public async Task Narrowing_a_clients_scopes_ends_the_sessions_that_hold_a_removed_scope()
    {
        var (clientId, _) = await CreateAsync(AppClient(NewClientId()));
        var keeping = await RefreshTokenOfAsync(SignInAsync(clientId, ("scope", "orders")));
        var losing = await RefreshTokenOfAsync(SignInAsync(clientId, ("scope", "inventory")));

        using var narrowed = await UpdateAsync(clientId, new[] { "password", "refresh_token" }, new[] { "orders" }, new[] { "orders-api", "inventory-api" });
        using var kept = await RefreshAsync(clientId, keeping);
        using var lost = await RefreshAsync(clientId, losing);

        Assert.Multiple(async () =>
        {
            Assert.That(narrowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(kept.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await lost.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        });
    }

    [Test]
    public async Task After_a_rotation_the_old_secret_works_for_the_overlap_and_then_stops()
    {
        var (clientId, oldSecret) = await CreateAsync(ServiceClient(NewClientId()));

        using var rotated = await RotateAsync(clientId, overlapSeconds: 60);
        var newSecret = (await rotated.JsonAsync()).GetProperty("clientSecret").GetString()!;
        using var oldDuringOverlap = await Client.ClientCredentialsAsync(clientId, oldSecret);
        using var newDuringOverlap = await Client.ClientCredentialsAsync(clientId, newSecret);
        Clock.Advance(TimeSpan.FromSeconds(61));
        using var oldAfterwards = await Client.ClientCredentialsAsync(clientId, oldSecret);
        using var newAfterwards = await Client.ClientCredentialsAsync(clientId, newSecret);

        Assert.Multiple(async () =>
        {
            Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rotated.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(newSecret, Does.Match("^[A-Za-z0-9_-]{43}$").And.Not.EqualTo(oldSecret));
            Assert.That(oldDuringOverlap.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(newDuringOverlap.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await oldAfterwards.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
            Assert.That(newAfterwards.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_rotation_without_overlap_stops_the_old_secret_at_once()
    {
        var (clientId, oldSecret) = await CreateAsync(ServiceClient(NewClientId()));
        using var before = await Client.ClientCredentialsAsync(clientId, oldSecret);

        using var rotated = await RotateAsync(clientId, overlapSeconds: 0);
        using var old = await Client.ClientCredentialsAsync(clientId, oldSecret);

        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Ending_the_overlap_early_stops_the_previous_secret()
    {
        var (clientId, oldSecret) = await CreateAsync(ServiceClient(NewClientId()));
        (await RotateAsync(clientId, overlapSeconds: 3600)).Dispose();
        using var during = await Client.ClientCredentialsAsync(clientId, oldSecret);

        using var ended = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/clients/{clientId}/secret/previous", null, _admin);
        using var old = await Client.ClientCredentialsAsync(clientId, oldSecret);
        using var view = await Client.GetAsync($"/admin/clients/{clientId}", _admin);

        Assert.Multiple(async () =>
        {
            Assert.That(during.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ended.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await view.JsonAsync()).GetProperty("previousSecretExpiresAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [TestCase(-1)]
    [TestCase(604801)]
    public async Task A_rotation_overlap_outside_zero_to_seven_days_is_refused(int overlapSeconds)
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));

        using var response = await RotateAsync(clientId, overlapSeconds);
        using var stillWorks = await Client.ClientCredentialsAsync(clientId, secret);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("errors").TryGetProperty("overlapSeconds", out _), Is.True);
        Assert.That(stillWorks.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_public_client_has_no_secret_to_rotate()
    {
        using var response = await RotateAsync("mobile-app", overlapSeconds: 0);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task A_disabled_client_is_refused_with_invalid_client_until_enabled()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));
        using var before = await Client.ClientCredentialsAsync(clientId, secret);

        using var disabled = await Client.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/disable", null, _admin);
        using var whileDisabled = await Client.ClientCredentialsAsync(clientId, secret);
        using var enabled = await Client.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/enable", null, _admin);
        using var afterEnabled = await Client.ClientCredentialsAsync(clientId, secret);

        Assert.Multiple(async () =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(whileDisabled.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await whileDisabled.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
            Assert.That(enabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(afterEnabled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Disabling_a_client_ends_its_sessions_for_good()
    {
        var (clientId, _) = await CreateAsync(AppClient(NewClientId()));
        var refresh = await RefreshTokenOfAsync(SignInAsync(clientId));

        (await Client.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/disable", null, _admin)).Dispose();
        (await Client.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/enable", null, _admin)).Dispose();
        using var refreshed = await RefreshAsync(clientId, refresh);

        Assert.That((await refreshed.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task A_deleted_client_gets_no_tokens()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));
        using var before = await Client.ClientCredentialsAsync(clientId, secret);

        using var deleted = await Client.SendJsonAsync(HttpMethod.Delete, $"/admin/clients/{clientId}", null, _admin);
        using var view = await Client.GetAsync($"/admin/clients/{clientId}", _admin);
        using var token = await Client.ClientCredentialsAsync(clientId, secret);

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(view.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task A_client_disabled_through_another_instance_is_refused_here_once_the_cache_lifetime_has_passed()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));
        await using var other = CreateInstance();
        using var otherClient = other.CreateClient();
        using var before = await Client.ClientCredentialsAsync(clientId, secret);

        using var disabled = await otherClient.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/disable", null, _admin);
        using var withinLifetime = await Client.ClientCredentialsAsync(clientId, secret);
        Clock.Advance(TimeSpan.FromSeconds(5));
        using var afterLifetime = await Client.ClientCredentialsAsync(clientId, secret);

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(withinLifetime.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the record read before the change, for 5 s");
            Assert.That(afterLifetime.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task A_secret_rotated_through_another_instance_works_here_at_once()
    {
        var (clientId, oldSecret) = await CreateAsync(ServiceClient(NewClientId()));
        await using var other = CreateInstance();
        using var otherClient = other.CreateClient();
        using var before = await Client.ClientCredentialsAsync(clientId, oldSecret);

        using var rotated = await otherClient.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/secret", new { overlapSeconds = 0 }, _admin);
        var newSecret = (await rotated.JsonAsync()).GetProperty("clientSecret").GetString()!;
        using var withNewSecret = await Client.ClientCredentialsAsync(clientId, newSecret);
        using var withOldSecret = await Client.ClientCredentialsAsync(clientId, oldSecret);

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(withNewSecret.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a refusal by the remembered record is judged on a fresh read");
            Assert.That(withOldSecret.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the fresh read replaced the remembered record");
        });
    }

    [Test]
    public async Task A_client_enabled_through_another_instance_works_here_at_once()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));
        await using var other = CreateInstance();
        using var otherClient = other.CreateClient();
        (await Client.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/disable", null, _admin)).Dispose();
        using var whileDisabled = await Client.ClientCredentialsAsync(clientId, secret);

        using var enabled = await otherClient.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/enable", null, _admin);
        using var afterEnabled = await Client.ClientCredentialsAsync(clientId, secret);

        Assert.Multiple(() =>
        {
            Assert.That(whileDisabled.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(enabled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(afterEnabled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task With_no_cache_lifetime_a_change_through_another_instance_applies_here_at_once()
    {
        var (clientId, secret) = await CreateAsync(ServiceClient(NewClientId()));
        await using var uncached = CreateInstance(new Dictionary<string, string> { ["Clients:CacheLifetime"] = "00:00:00" });
        using var uncachedClient = uncached.CreateClient();
        using var before = await uncachedClient.ClientCredentialsAsync(clientId, secret);

        (await Client.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/disable", null, _admin)).Dispose();
        using var after = await uncachedClient.ClientCredentialsAsync(clientId, secret);

        Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_operator_cannot_disable_or_delete_the_client_their_own_token_came_from()
    {
        using var disabled = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients/mobile-app/disable", null, _admin);
        using var deleted = await Client.SendJsonAsync(HttpMethod.Delete, "/admin/clients/mobile-app", null, _admin);
        using var signIn = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);

        Assert.Multiple(() =>
        {
            Assert.That(disabled.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task An_unknown_client_is_not_found()
    {
        using var get = await Client.GetAsync("/admin/clients/no-such-client", _admin);
        using var update = await UpdateAsync("no-such-client", new[] { "client_credentials" }, new[] { "reports:read" }, new[] { "reports-api" });
        using var rotate = await RotateAsync("no-such-client", overlapSeconds: 0);
        using var disable = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients/no-such-client/disable", null, _admin);

        Assert.Multiple(() =>
        {
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(disable.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Client_changes_are_audited_with_operator_and_client_and_never_the_secret()
    {
        var (clientId, oldSecret) = await CreateAsync(ServiceClient(NewClientId()));
        using var rotated = await RotateAsync(clientId, overlapSeconds: 0);
        var newSecret = (await rotated.JsonAsync()).GetProperty("clientSecret").GetString()!;
        var operatorId = new JsonWebToken(_admin).Subject;

        using var response = await Client.GetAsync($"/admin/audit?userId={operatorId}&pageSize=200", _admin);
        var raw = await response.Content.ReadAsStringAsync();
        var events = (await response.JsonAsync()).GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("clientId").GetString() == clientId).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.GetProperty("type").GetString()), Is.EqualTo(new[] { "client_secret_rotated", "client_created" }));
            Assert.That(events.Select(e => e.GetProperty("detail").GetString()), Is.All.EndsWith($"by {operatorId}"));
            Assert.That(raw, Does.Not.Contain(oldSecret).And.Not.Contain(newSecret));
        });
    }

    private static string NewClientId() => $"client-{Guid.NewGuid():N}";

    /// <summary>A confidential service client: client_credentials for <c>reports-api</c>.</summary>
    private static Dictionary<string, object> ServiceClient(string clientId) => new()
    {
        ["clientId"] = clientId,
        ["displayName"] = "Reports job",
        ["confidential"] = true,
        ["grantTypes"] = new[] { "client_credentials" },
        ["scopes"] = new[] { "reports:read", "reports:export" },
        ["audiences"] = new[] { "reports-api" },
    };

    /// <summary>A public app client: password sign-in with sessions.</summary>
    private static Dictionary<string, object> AppClient(string clientId) => new()
    {
        ["clientId"] = clientId,
        ["displayName"] = "Partner app",
        ["confidential"] = false,
        ["grantTypes"] = new[] { "password", "refresh_token" },
        ["scopes"] = new[] { "orders", "inventory" },
        ["audiences"] = new[] { "orders-api", "inventory-api" },
    };

    private async Task<(string ClientId, string Secret)> CreateAsync(Dictionary<string, object> registration)
    {
        using var created = await Client.SendJsonAsync(HttpMethod.Post, "/admin/clients", registration, _admin);
        created.EnsureSuccessStatusCode();
        return ((string)registration["clientId"], (await created.JsonAsync()).GetProperty("clientSecret").GetString() ?? "");
    }

    private Task<HttpResponseMessage> UpdateAsync(string clientId, string[] grantTypes, string[] scopes, string[] audiences) =>
        Client.SendJsonAsync(HttpMethod.Put, $"/admin/clients/{clientId}", new { displayName = "Updated", grantTypes, scopes, audiences }, _admin);

    private Task<HttpResponseMessage> RotateAsync(string clientId, int overlapSeconds) =>
        Client.SendJsonAsync(HttpMethod.Post, $"/admin/clients/{clientId}/secret", new { overlapSeconds }, _admin);

    private Task<HttpResponseMessage> SignInAsync(string clientId, params (string Name, string Value)[] extra) => Client.RequestAsync([
        new("grant_type", "password"), new("client_id", clientId), new("username", "alice"), new("password", TokenServiceHost.UserPassword),
        .. extra.Select(pair => new KeyValuePair<string, string>(pair.Name, pair.Value)),
    ]);

    private Task<HttpResponseMessage> RefreshAsync(string clientId, string refresh) => Client.RequestAsync([
        new("grant_type", "refresh_token"), new("client_id", clientId), new("refresh_token", refresh),
    ]);

    private static async Task<string> RefreshTokenOfAsync(Task<HttpResponseMessage> pending)
    {
        using var response = await pending;
        response.EnsureSuccessStatusCode();
        return (await response.JsonAsync()).GetProperty("refresh_token").GetString()!;
    }
}
