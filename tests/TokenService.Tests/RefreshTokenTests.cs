using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Data;
using TokenService.RefreshTokens;

namespace TokenService.Tests;

[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class RefreshTokenTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    [OneTimeSetUp]
    public Task AddSecondMobileClient() => ChangeStoreAsync((database, _) =>
    {
        database.Clients.Add(new Client
        {
            ClientId = "other-app", DisplayName = "Another public client",
            AllowedGrantTypes = ["password", "refresh_token"], AllowedScopes = ["orders"], AllowedAudiences = ["orders-api"],
        });
        return Task.CompletedTask;
    });

    [Test]
    public async Task Sign_in_returns_a_refresh_token_and_an_access_token_naming_the_session()
    {
        var (access, refresh) = await SignInAsync();

        Assert.Multiple(() =>
        {
            Assert.That(refresh, Has.Length.EqualTo(43));
            Assert.That(Guid.TryParse(new JsonWebToken(access).GetClaim("sid").Value, out _), Is.True);
        });
    }

    [Test]
    public async Task A_refresh_returns_a_new_pair_in_the_same_session()
    {
        var (access, refresh) = await SignInAsync();

        var (newAccess, newRefresh) = await PairOf(await RefreshAsync(refresh));

        Assert.Multiple(() =>
        {
            Assert.That(newRefresh, Is.Not.EqualTo(refresh));
            Assert.That(newAccess, Is.Not.EqualTo(access));
            Assert.That(new JsonWebToken(newAccess).GetClaim("sid").Value, Is.EqualTo(new JsonWebToken(access).GetClaim("sid").Value));
        });
    }

    [Test]
    public async Task A_rotation_is_audited_once_and_marks_the_session_used_now()
    {
        var (access, refresh) = await SignInAsync();
        var sessionId = Guid.Parse(new JsonWebToken(access).GetClaim("sid").Value);
        Clock.Advance(TimeSpan.FromMinutes(3));
        var refreshedAt = Clock.GetUtcNow();

        await PairOf(await RefreshAsync(refresh));

        List<AuditEvent> rotations = [];
        var lastUsed = DateTimeOffset.MinValue;
        await ChangeStoreAsync(async (database, _) =>
        {
            rotations = await database.AuditEvents.Where(e => e.SessionId == sessionId && e.Type == AuditEventTypes.RefreshTokenRotated).ToListAsync();
            lastUsed = (await database.RefreshTokenFamilies.SingleAsync(f => f.Id == sessionId)).LastUsedAt;
        });
        Assert.That(rotations, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(rotations[0].ClientId, Is.EqualTo("mobile-app"));
            Assert.That(rotations[0].UserId, Is.Not.Null);
            Assert.That(rotations[0].OccurredAt, Is.EqualTo(refreshedAt).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(lastUsed, Is.EqualTo(refreshedAt).Within(TimeSpan.FromMilliseconds(1)));
        });
    }

    [Test]
    public async Task Repeating_the_previous_token_within_the_grace_period_returns_the_same_pair()
    {
        var (_, refresh) = await SignInAsync();
        using var first = await RefreshAsync(refresh);
        var firstBody = await first.Content.ReadAsStringAsync();
        Clock.Advance(Grace - TimeSpan.FromSeconds(1));

        using var repeated = await RefreshAsync(refresh);

        Assert.That(await repeated.Content.ReadAsStringAsync(), Is.EqualTo(firstBody));
    }

    [Test]
    public async Task Repeating_a_spent_token_after_the_grace_period_revokes_the_whole_session()
    {
        var (_, refresh) = await SignInAsync();
        var (_, successor) = await PairOf(await RefreshAsync(refresh));
        Clock.Advance(Grace + TimeSpan.FromSeconds(1));

        using var reuse = await RefreshAsync(refresh);
        using var successorAfterwards = await RefreshAsync(successor);

        Assert.Multiple(async () =>
        {
            Assert.That(await ErrorOf(reuse), Is.EqualTo("invalid_grant"));
            Assert.That(await ErrorOf(successorAfterwards), Is.EqualTo("invalid_grant"));
            Assert.That(await AuditCountAsync(AuditEventTypes.RefreshTokenReuseDetected), Is.GreaterThanOrEqualTo(1));
        });
    }

    [Test]
    public async Task A_token_older_than_the_immediate_predecessor_is_reuse_even_within_the_grace_period()
    {
        var (_, first) = await SignInAsync();
        var (_, second) = await PairOf(await RefreshAsync(first));
        var (_, third) = await PairOf(await RefreshAsync(second));

        using var reuse = await RefreshAsync(first);
        using var live = await RefreshAsync(third);

        Assert.Multiple(async () =>
        {
            Assert.That(await ErrorOf(reuse), Is.EqualTo("invalid_grant"));
            Assert.That(await ErrorOf(live), Is.EqualTo("invalid_grant"));
        });
    }

    [Test]
    public async Task The_predecessor_is_no_longer_answered_once_its_successor_was_used()
    {
        var (_, first) = await SignInAsync();
        var (_, second) = await PairOf(await RefreshAsync(first));
        using (await RefreshAsync(second))
        {
        }

        using var late = await RefreshAsync(first);

        Assert.That(await ErrorOf(late), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task Another_client_presenting_the_token_gets_invalid_grant_and_ends_the_session()
    {
        var (_, refresh) = await SignInAsync();

        using var stolen = await RefreshAsync(refresh, clientId: "other-app");
        using var owner = await RefreshAsync(refresh);

        Assert.Multiple(async () =>
        {
            Assert.That(await ErrorOf(stolen), Is.EqualTo("invalid_grant"));
            Assert.That(await ErrorOf(owner), Is.EqualTo("invalid_grant"));
        });
    }

    [TestCase("not-a-token")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    public async Task A_malformed_or_unknown_token_gets_the_same_invalid_grant(string presented)
    {
        using var response = await RefreshAsync(presented);

        Assert.That(await response.Content.ReadAsStringAsync(),
            Is.EqualTo("""{"error":"invalid_grant","error_description":"The refresh token is invalid, expired or revoked."}"""));
    }

    [Test]
    public async Task A_token_unused_for_longer_than_the_idle_lifetime_expires()
    {
        var (_, refresh) = await SignInAsync();
        Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));

        using var response = await RefreshAsync(refresh);

        Assert.That(await ErrorOf(response), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task Rotation_never_extends_the_absolute_lifetime_of_the_session()
    {
        var (_, refresh) = await SignInAsync();
        for (var day = 0; day < 30 - 6; day += 6)
        {
            Clock.Advance(TimeSpan.FromDays(6));
            (_, refresh) = await PairOf(await RefreshAsync(refresh));
        }

        Clock.Advance(TimeSpan.FromDays(6));
        using var beyond = await RefreshAsync(refresh);

        Assert.That(await ErrorOf(beyond), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task A_role_change_reaches_the_next_access_token()
    {
        var (access, refresh) = await SignInAsync();
        await ChangeStoreAsync(async (database, _) =>
        {
            var role = await database.Roles.Include(r => r.Permissions).SingleAsync(r => r.Name == "user");
            role.Permissions.Remove(role.Permissions.Single(p => p.Name == "orders:write"));
        });

        try
        {
            var (newAccess, _) = await PairOf(await RefreshAsync(refresh));

            Assert.Multiple(() =>
            {
                Assert.That(Permissions(access), Does.Contain("orders:write"));
                Assert.That(Permissions(newAccess), Does.Not.Contain("orders:write"));
            });
        }
        finally
        {
            await ChangeStoreAsync(async (database, _) =>
            {
                var role = await database.Roles.Include(r => r.Permissions).SingleAsync(r => r.Name == "user");
                role.Permissions.Add(await database.Permissions.SingleAsync(p => p.Name == "orders:write"));
            });
        }
    }

    [Test]
    public async Task A_disabled_user_can_no_longer_refresh()
    {
        var userName = await CreateUserAsync();
        var (_, refresh) = await SignInAsync(userName);
        await ChangeStoreAsync(async (database, _) => (await database.Users.SingleAsync(u => u.UserName == userName)).IsDisabled = true);

        using var response = await RefreshAsync(refresh);

        Assert.That(await ErrorOf(response), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task A_refresh_may_narrow_the_scope_but_never_widen_it()
    {
        var (_, refresh) = await SignInAsync(scope: "orders");

        using var widened = await RefreshAsync(refresh, scope: "orders inventory");
        var (narrowed, _) = await PairOf(await RefreshAsync(refresh, scope: "orders"));

        Assert.Multiple(async () =>
        {
            Assert.That(await ErrorOf(widened), Is.EqualTo("invalid_scope"));
            Assert.That(new JsonWebToken(narrowed).GetClaim("scope").Value, Is.EqualTo("orders"));
        });
    }

    [Test]
    public async Task Revoking_a_refresh_token_ends_its_session()
    {
        var (_, refresh) = await SignInAsync();

        using var revoked = await Client.RequestAsync(
            [new("token", refresh), new("token_type_hint", "refresh_token"), new("client_id", "mobile-app")], path: "/connect/revoke");
        using var afterwards = await RefreshAsync(refresh);

        Assert.Multiple(async () =>
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await ErrorOf(afterwards), Is.EqualTo("invalid_grant"));
        });
    }

    [Test]
    public async Task Revoking_an_unknown_token_is_answered_200_and_changes_nothing()
    {
        var (_, refresh) = await SignInAsync();

        using var revoked = await Client.RequestAsync([new("token", "unknown"), new("client_id", "mobile-app")], path: "/connect/revoke");
        using var afterwards = await RefreshAsync(refresh);

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Another_client_cannot_revoke_a_token_it_does_not_own()
    {
        var (_, refresh) = await SignInAsync();

        using (await Client.RequestAsync([new("token", refresh), new("client_id", "other-app")], path: "/connect/revoke"))
        {
        }

        using var afterwards = await RefreshAsync(refresh);
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Cleanup_deletes_expired_tokens_and_spent_grace_responses()
    {
        var (_, refresh) = await SignInAsync();
        using (await RefreshAsync(refresh))
        {
        }

        Clock.Advance(TimeSpan.FromDays(40));
        await ((RefreshTokenCleanup)Host.Services.GetServices<IHostedService>().Single(s => s is RefreshTokenCleanup)).CleanUpAsync(CancellationToken.None);

        var (tokens, graceResponses) = (0, 0);
        await ChangeStoreAsync(async (database, _) =>
        {
            tokens = await database.RefreshTokens.CountAsync(t => t.CreatedAt < Clock.GetUtcNow() - TimeSpan.FromDays(39));
            graceResponses = await database.RefreshTokens.CountAsync(t => t.GraceResponse != null);
        });
        Assert.Multiple(() =>
        {
            Assert.That(tokens, Is.Zero);
            Assert.That(graceResponses, Is.Zero);
        });
    }

    private async Task<(string Access, string Refresh)> SignInAsync(string userName = "alice", string? scope = null)
    {
        var password = userName == "alice" ? TokenServiceHost.UserPassword : CreatedUserPassword;
        using var response = scope is null
            ? await Client.PasswordGrantAsync(userName, password)
            : await Client.PasswordGrantAsync(userName, password, ("scope", scope));
        return await PairOf(response);
    }

    private const string CreatedUserPassword = "created-user-password";

    private async Task<string> CreateUserAsync()
    {
        var userName = $"user-{Guid.NewGuid():N}";
        await ChangeStoreAsync(async (database, services) =>
        {
            var user = new Accounts.User
            {
                Id = Guid.NewGuid(), UserName = userName, NormalizedUserName = Accounts.UserNames.Normalize(userName),
                PasswordHash = services.GetRequiredService<Passwords.Argon2idPasswordHasher>().Hash(CreatedUserPassword),
            };
            user.Roles.Add(await database.Roles.SingleAsync(r => r.Name == "user"));
            database.Users.Add(user);
        });
        return userName;
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken, string clientId = "mobile-app", string? scope = null) =>
        Client.RequestAsync([
            new("grant_type", "refresh_token"), new("refresh_token", refreshToken), new("client_id", clientId),
            .. scope is null ? Array.Empty<KeyValuePair<string, string>>() : [new("scope", scope)],
        ]);

    private static async Task<(string Access, string Refresh)> PairOf(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.JsonAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            return (body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
        }
    }

    private static IEnumerable<string> Permissions(string accessToken) =>
        new JsonWebToken(accessToken).Claims.Where(c => c.Type == "permissions").Select(c => c.Value);

    private static async Task<string?> ErrorOf(HttpResponseMessage response) =>
        (await response.JsonAsync()).GetProperty("error").GetString();

    private async Task<int> AuditCountAsync(string type)
    {
        var count = 0;
        await ChangeStoreAsync(async (database, _) => count = await database.AuditEvents.CountAsync(e => e.Type == type));
        return count;
    }
}
