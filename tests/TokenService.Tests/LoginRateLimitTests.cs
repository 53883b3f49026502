using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;
using TokenService.Accounts;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>
/// Password sign-in attempts are limited per client address and per address + user name (5 per 15 minutes), counted in
/// the store so every instance shares one budget; behind a trusted gateway the client address is the one its
/// X-Forwarded-For names.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class LoginRateLimitTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>The network the gateway's requests come from: its X-Forwarded-For is believed.</summary>
    private const string GatewayAddress = "10.9.0.5";

    // Lockout would answer first for a single user; raise it so only the rate limits act.
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Accounts:Lockout:MaxFailedAttempts"] = "100",
        ["ForwardedHeaders:TrustedNetworks:0"] = "10.9.0.0/16",
    };

    [Test]
    public async Task The_sixth_attempt_for_one_user_from_one_address_gets_429_with_Retry_After()
    {
        await FailAsync("10.2.0.1", Enumerable.Repeat("alice", 5));

        using var response = await Client.PasswordGrantFromAsync("10.2.0.1", "alice", TokenServiceHost.UserPassword);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(Window));
            Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        });
    }

    [Test]
    public async Task One_address_trying_many_user_names_is_limited()
    {
        await FailAsync("10.2.0.2", Enumerable.Range(0, 5).Select(i => $"guess-{i}"));

        using var response = await Client.PasswordGrantFromAsync("10.2.0.2", "another-guess", "some-password-here");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Another_address_is_not_limited_by_the_first()
    {
        await FailAsync("10.2.0.3", Enumerable.Repeat("alice", 5));

        using var response = await Client.PasswordGrantFromAsync("10.2.0.4", "alice", TokenServiceHost.UserPassword);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Addresses_in_one_IPv6_64_block_share_one_budget()
    {
        await FailAsync("2001:db8:1:2::1", Enumerable.Range(0, 5).Select(i => $"v6-guess-{i}"));

        using var response = await Client.PasswordGrantFromAsync("2001:db8:1:2:ffff::9", "alice", TokenServiceHost.UserPassword);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Successful_sign_ins_do_not_use_up_the_budget()
    {
        for (var i = 0; i < 10; i++)
        {
            using var response = await Client.PasswordGrantFromAsync("10.2.0.5", "alice", TokenServiceHost.UserPassword);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"sign-in {i + 1}");
        }
    }

    [Test]
    public async Task The_limit_lifts_as_the_window_slides_past_the_failures()
    {
        await FailAsync("10.2.0.6", Enumerable.Repeat("alice", 5));
        Clock.Advance(Window);

        using var response = await Client.PasswordGrantFromAsync("10.2.0.6", "alice", TokenServiceHost.UserPassword);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Behind_the_trusted_gateway_each_forwarded_client_has_its_own_budget()
    {
        for (var i = 0; i < 5; i++)
        {
            using var failed = await Client.PasswordGrantFromAsync(GatewayAddress, "alice", "not-the-password", forwardedFor: "198.51.100.1");
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using var sameClient = await Client.PasswordGrantFromAsync(GatewayAddress, "alice", TokenServiceHost.UserPassword, forwardedFor: "198.51.100.1");
        using var otherClient = await Client.PasswordGrantFromAsync(GatewayAddress, "alice", TokenServiceHost.UserPassword, forwardedFor: "198.51.100.2");

        Assert.That(sameClient.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(otherClient.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task X_Forwarded_For_from_an_untrusted_peer_does_not_buy_a_fresh_budget()
    {
        for (var i = 0; i < 5; i++)
        {
            using var failed = await Client.PasswordGrantFromAsync("10.2.0.7", "alice", "not-the-password", forwardedFor: $"198.51.100.{10 + i}");
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using var response = await Client.PasswordGrantFromAsync("10.2.0.7", "alice", TokenServiceHost.UserPassword, forwardedFor: "198.51.100.99");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Two_instances_share_one_budget()
    {
        await using var second = CreateInstance();
        using var secondClient = second.CreateClient();
        await FailAsync("10.2.1.1", Enumerable.Repeat("alice", 3));
        await FailAsync("10.2.1.1", Enumerable.Repeat("alice", 2), secondClient);

        using var first = await Client.PasswordGrantFromAsync("10.2.1.1", "alice", TokenServiceHost.UserPassword);
        using var again = await secondClient.PasswordGrantFromAsync("10.2.1.1", "alice", TokenServiceHost.UserPassword);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Parallel_attempts_through_two_instances_cannot_outrun_the_limit()
    {
        await using var second = CreateInstance();
        using var secondClient = second.CreateClient();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? Client : secondClient).PasswordGrantFromAsync("10.2.1.2", "alice", $"guess-{i}");
            return response.StatusCode;
        }));

        Assert.That(statuses.Count(s => s == HttpStatusCode.BadRequest), Is.EqualTo(5));
        Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.EqualTo(5));
    }

    [Test]
    public async Task Attempts_past_the_window_are_deleted_by_the_cleanup()
    {
        await FailAsync("10.2.1.3", Enumerable.Repeat("alice", 2));
        var before = 0;
        await ChangeStoreAsync(async (database, _) => before = await database.SignInAttempts.CountAsync());
        Clock.Advance(Window + TimeSpan.FromSeconds(1));

        await ((SignInAttemptCleanup)Host.Services.GetServices<IHostedService>().Single(s => s is SignInAttemptCleanup)).CleanUpAsync(CancellationToken.None);

        var after = -1;
        await ChangeStoreAsync(async (database, _) => after = await database.SignInAttempts.CountAsync());
        Assert.That(before, Is.GreaterThanOrEqualTo(4), "two attempts, each counted per address and per address + user");
        Assert.That(after, Is.Zero);
    }

    private async Task FailAsync(string address, IEnumerable<string> users, HttpClient? through = null)
    {
        foreach (var user in users)
        {
            using var response = await (through ?? Client).PasswordGrantFromAsync(address, user, "not-the-password");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }
}
