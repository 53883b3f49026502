using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using NUnit.Framework;
using TestSupport;
using TokenService.Data;
using TokenService.Keys;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>
/// The key timeline on a moving clock: a successor is published an activation delay before it signs, the old key
/// stays published until every token it signed has expired, instances agree, operators can rotate and revoke.
/// Each test gets a fresh store.
/// </summary>
[TestFixture]
public sealed class SigningKeyRotationTests
{
    private static readonly TimeSpan RotationInterval = TimeSpan.FromDays(1);
    private static readonly TimeSpan ActivationDelay = TimeSpan.FromHours(1);

    /// <summary>Access-token lifetime (5 min) + clock skew (1 min) + one reload (1 min).</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(7);

    private readonly List<IAsyncDisposable> _hosts = [];
    private FakeTimeProvider _clock = null!;
    private string _connectionString = "";
    private string _keyEncryptionKey = "";

    [SetUp]
    public async Task CreateStore()
    {
        _clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        _connectionString = await TestDatabase.Server.CreateDatabaseAsync("keys");
        _keyEncryptionKey = TokenServiceHost.NewKeyEncryptionKey();
    }

    [TearDown]
    public async Task StopInstances()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    [Test]
    public async Task A_new_store_starts_with_one_key_that_signs_at_once()
    {
        var instance = StartInstance();
        using var client = instance.CreateClient();

        Assert.That(await PublishedKeyIdsAsync(client), Is.EqualTo(new[] { await SigningKeyIdAsync(client) }));
    }

    [Test]
    public async Task The_successor_is_published_the_activation_delay_before_it_signs()
    {
        var instance = StartInstance();
        using var client = instance.CreateClient();
        var original = await SigningKeyIdAsync(client);

        await AdvanceAndMaintainAsync(instance, RotationInterval - ActivationDelay);

        Assert.Multiple(async () =>
        {
            Assert.That(await PublishedKeyIdsAsync(client), Has.Length.EqualTo(2).And.Contains(original));
            Assert.That(await SigningKeyIdAsync(client), Is.EqualTo(original));
        });
    }

    [Test]
    public async Task Once_due_the_successor_signs_and_the_old_key_stays_published_until_its_tokens_expired()
    {
        var instance = StartInstance();
        using var client = instance.CreateClient();
        var original = await SigningKeyIdAsync(client);
        await AdvanceAndMaintainAsync(instance, RotationInterval - ActivationDelay);

        await AdvanceAndMaintainAsync(instance, ActivationDelay);
        var successor = await SigningKeyIdAsync(client);
        var publishedRightAfter = await PublishedKeyIdsAsync(client);
        await AdvanceAndMaintainAsync(instance, Retention + TimeSpan.FromSeconds(1));

        Assert.Multiple(async () =>
        {
            Assert.That(successor, Is.Not.EqualTo(original));
            Assert.That(publishedRightAfter, Does.Contain(original));
            Assert.That(await PublishedKeyIdsAsync(client), Is.EqualTo(new[] { successor }));
        });
    }

    [Test]
    public async Task Instances_rotating_at_the_same_moment_publish_one_successor()
    {
        var first = StartInstance();
        var second = StartInstance();
        using var client = first.CreateClient();
        await SigningKeyIdAsync(client);
        _clock.Advance(RotationInterval - ActivationDelay);

        await Task.WhenAll(Manager(first).MaintainAndReloadAsync(CancellationToken.None), Manager(second).MaintainAndReloadAsync(CancellationToken.None));

        Assert.That(await PublishedKeyIdsAsync(client), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task Both_instances_sign_with_the_same_key()
    {
        var first = StartInstance();
        var second = StartInstance();
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        var original = await SigningKeyIdAsync(firstClient);
        await RotateThroughAsync(first);
        await Manager(second).MaintainAndReloadAsync(CancellationToken.None);

        Assert.That(await SigningKeyIdAsync(secondClient), Is.EqualTo(await SigningKeyIdAsync(firstClient)).And.Not.EqualTo(original));
    }

    [Test]
    public async Task An_operator_rotation_publishes_a_pending_key_once()
    {
        var instance = StartInstance();
        using var client = instance.CreateClient();
        var admin = await AdminTokenAsync(client);

        using var rotated = await PostAsync(client, "/admin/keys/rotate", admin);
        using var again = await PostAsync(client, "/admin/keys/rotate", admin);

        Assert.Multiple(async () =>
        {
            Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(await PublishedKeyIdsAsync(client), Has.Length.EqualTo(2));
        });
    }

    [Test]
    public async Task Revoking_the_active_key_withdraws_it_at_once_and_a_new_key_signs()
    {
        var instance = StartInstance();
        using var client = instance.CreateClient();
        var admin = await AdminTokenAsync(client);
        var compromised = new JsonWebToken(admin).Kid;

        using var revoked = await PostAsync(client, $"/admin/keys/{compromised}/revoke", admin);

        Assert.Multiple(async () =>
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await PublishedKeyIdsAsync(client), Does.Not.Contain(compromised).And.Not.Empty);
            Assert.That(await SigningKeyIdAsync(client), Is.Not.EqualTo(compromised));
        });
    }

    [Test]
    public async Task Key_administration_needs_the_keys_manage_permission()
    {
        var instance = StartInstance();
        using var client = instance.CreateClient();
        using var signIn = await client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);
        var alice = (await signIn.JsonAsync()).GetProperty("access_token").GetString()!;

        using var response = await PostAsync(client, "/admin/keys/rotate", alice);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer error=\"insufficient_scope\""));
    }

    [Test]
    public async Task Superseded_keys_are_marked_for_retirement_in_the_store()
    {
        var instance = StartInstance();
        await RotateThroughAsync(instance);

        await using var scope = instance.Services.CreateAsyncScope();
        var keys = await scope.ServiceProvider.GetRequiredService<TokenDbContext>().SigningKeys.OrderBy(k => k.Generation).ToListAsync();

        Assert.That(keys.Select(k => k.RetiresAt.HasValue), Is.EqualTo(new[] { true, false }));
    }

    private ConfiguredHost<AccessTokenIssuer> StartInstance()
    {
        var host = TokenServiceHost.Create(DatabaseProvider.Postgres, _connectionString, _keyEncryptionKey,
            new Dictionary<string, string>
            {
                ["SigningKeys:RotationInterval"] = RotationInterval.ToString(),
                ["SigningKeys:ActivationDelay"] = ActivationDelay.ToString(),
                ["SigningKeys:ReloadInterval"] = "00:01:00",
            },
            services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock)));
        _hosts.Add(host);
        host.StartServer();
        return host;
    }

    private static SigningKeyManager Manager(ConfiguredHost<AccessTokenIssuer> host) => host.Services.GetRequiredService<SigningKeyManager>();

    private async Task AdvanceAndMaintainAsync(ConfiguredHost<AccessTokenIssuer> host, TimeSpan by)
    {
        _clock.Advance(by);
        await Manager(host).MaintainAndReloadAsync(CancellationToken.None);
    }

    /// <summary>Moves the clock through one rotation, maintaining when the successor is due to be published and when it activates.</summary>
    private async Task RotateThroughAsync(ConfiguredHost<AccessTokenIssuer> host)
    {
        await AdvanceAndMaintainAsync(host, RotationInterval - ActivationDelay);
        await AdvanceAndMaintainAsync(host, ActivationDelay);
    }

    private static async Task<string?[]> PublishedKeyIdsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/.well-known/jwks.json");
        return [.. (await response.JsonAsync()).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString())];
    }

    private static async Task<string> SigningKeyIdAsync(HttpClient client) =>
        new JsonWebToken(await client.ClientCredentialsAsync("orders-service", TokenServiceHost.OrdersServiceSecret).AccessTokenAsync()).Kid;

    private static async Task<string> AdminTokenAsync(HttpClient client)
    {
        using var response = await client.PasswordGrantAsync("admin", TokenServiceHost.AdminPassword);
        return (await response.JsonAsync()).GetProperty("access_token").GetString()!;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
