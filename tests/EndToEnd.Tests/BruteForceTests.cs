using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace EndToEnd.Tests;

/// <summary>
/// Issue 9, scenario 8: password guessing through the gateway, from several loopback addresses (127.0.0.x) so the
/// per-address limits see different clients. The token service runs on a fake clock, so 15-minute windows and
/// 30-minute lockouts (the production defaults) pass in an instant; each test starts a day later, with every
/// earlier window and lockout over.
/// </summary>
[TestFixture]
public sealed class BruteForceTests : PlatformFixture
{
    private const int PermitLimit = 5;
    private static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(30);
    private static readonly string[] NotPartOfTheAnswer = ["Date", "X-Request-Id"];
    private static int _nextAddress = 1;

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());

    protected override Action<IServiceCollection>? TokenServiceServices => services => services.AddSingleton<TimeProvider>(_time);

    [SetUp]
    public void StartOnANewDay() => _time.Advance(TimeSpan.FromDays(1));

    [Test]
    public async Task Guessing_one_accounts_password_from_one_address_is_refused_with_429_and_Retry_After_after_five_attempts()
    {
        using var attacker = Client();

        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var attempt = 0; attempt < PermitLimit + 3; attempt++)
        {
            using var response = await SignInAsync(attacker, "alice", $"guess-{attempt}");
            statuses.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.Delta;
        }

        TestContext.Out.WriteLine($"brute force, one account: {statuses.Count} attempts → {string.Join(", ", statuses.Select(s => (int)s))}; Retry-After {retryAfter?.TotalSeconds} s");
        Assert.That(statuses, Is.EqualTo(Enumerable.Repeat(HttpStatusCode.BadRequest, PermitLimit).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3))));
        Assert.That(retryAfter, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromMinutes(15)));
    }

    [Test]
    public async Task Stuffing_many_accounts_from_one_address_is_refused_with_429_after_five_attempts()
    {
        using var attacker = Client();

        var statuses = new List<HttpStatusCode>();
        for (var account = 0; account < 20; account++)
        {
            using var response = await SignInAsync(attacker, account == 7 ? "alice" : $"user-{account}@example.com", "Password123!");
            statuses.Add(response.StatusCode);
        }

        TestContext.Out.WriteLine($"brute force, many accounts: {statuses.Count} attempts → {statuses.Count(s => s == HttpStatusCode.BadRequest)} checked, {statuses.Count(s => s == HttpStatusCode.TooManyRequests)} refused with 429");
        Assert.That(statuses, Is.EqualTo(Enumerable.Repeat(HttpStatusCode.BadRequest, PermitLimit).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 20 - PermitLimit))));
    }

    [Test]
    public async Task An_attacker_using_up_its_budget_does_not_use_up_anyone_elses()
    {
        using var attacker = Client();
        using var victim = Client();
        for (var attempt = 0; attempt < PermitLimit + 1; attempt++)
        {
            using var _ = await SignInAsync(attacker, $"nobody-{attempt}", "wrong-password");
        }

        using var signIn = await SignInAsync(victim, "alice", Platform.UserPassword);

        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_locked_account_answers_exactly_like_a_wrong_password()
    {
        await LockAsync("alice");

        using var owner = Client();
        using var someoneElse = Client();
        using var lockedWithTheRightPassword = await SignInAsync(owner, "alice", Platform.UserPassword);
        using var wrongPassword = await SignInAsync(someoneElse, "admin", "not-the-admin-password");

        Assert.That(await AnswerAsync(lockedWithTheRightPassword), Is.EqualTo(await AnswerAsync(wrongPassword)));
    }

    [Test]
    public async Task A_lockout_ends_after_its_duration_however_often_the_attacker_tries_meanwhile()
    {
        await LockAsync("alice");
        using var owner = Client();
        using var whileLocked = await SignInAsync(owner, "alice", Platform.UserPassword);
        for (var minute = 5; minute < 30; minute += 5)
        {
            _time.Advance(TimeSpan.FromMinutes(5));
            using var attacker = Client();
            for (var attempt = 0; attempt < PermitLimit; attempt++)
            {
                using var _ = await SignInAsync(attacker, "alice", $"guess-{minute}-{attempt}");
            }
        }

        _time.Advance(LockoutDuration - TimeSpan.FromMinutes(25) + TimeSpan.FromSeconds(1));
        using var ownerLater = Client();
        using var afterwards = await SignInAsync(ownerLater, "alice", Platform.UserPassword);

        TestContext.Out.WriteLine($"brute force, lockout: 25 attempts from 5 addresses while locked; the owner signs in {LockoutDuration.TotalMinutes} min after the lockout began: {(int)afterwards.StatusCode}");
        Assert.That(whileLocked.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <remarks>
    /// The rule against keeping a victim locked out: a lockout always ends, and each address the user signed in from in
    /// the last 30 days has a failure count of its own, so one attacker address re-locking the account the moment each
    /// lockout ends shuts out only addresses the user has not used lately.
    /// </remarks>
    [Test]
    public async Task An_attacker_relocking_the_account_whenever_the_lockout_ends_never_keeps_the_owner_out_of_their_usual_address()
    {
        using var owner = Client();
        using (var first = await SignInAsync(owner, "alice", Platform.UserPassword))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var attacker = Client();
        var owners = new List<HttpStatusCode>();
        var strangers = new List<HttpStatusCode>();
        for (var lockout = 0; lockout < 3; lockout++)
        {
            for (var attempt = 0; attempt < PermitLimit; attempt++)
            {
                using var guess = await SignInAsync(attacker, "alice", $"guess-{lockout}-{attempt}");
                Assert.That(guess.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            }

            using var fromTheUsualAddress = await SignInAsync(owner, "alice", Platform.UserPassword);
            using var stranger = Client();
            using var fromANewAddress = await SignInAsync(stranger, "alice", Platform.UserPassword);
            owners.Add(fromTheUsualAddress.StatusCode);
            strangers.Add(fromANewAddress.StatusCode);
            _time.Advance(LockoutDuration + TimeSpan.FromSeconds(1));
        }

        TestContext.Out.WriteLine($"brute force, re-lock: one attacker address locked the account 3 times, once as each lockout ended; the owner from their usual address → {string.Join(", ", owners.Select(s => (int)s))}; the right password from new addresses → {string.Join(", ", strangers.Select(s => (int)s))}");
        Assert.That(owners, Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(strangers, Is.All.EqualTo(HttpStatusCode.BadRequest));
    }

    /// <summary>Five wrong passwords from a fresh address: the account is locked for <see cref="LockoutDuration"/>.</summary>
    private async Task LockAsync(string userName)
    {
        using var attacker = Client();
        for (var attempt = 0; attempt < PermitLimit; attempt++)
        {
            using var response = await SignInAsync(attacker, userName, $"wrong-{attempt}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    private static async Task<string> AnswerAsync(HttpResponseMessage response) =>
        $"{(int)response.StatusCode}\n{string.Join('\n', response.Headers.Concat(response.Content.Headers).Where(h => !NotPartOfTheAnswer.Contains(h.Key, StringComparer.OrdinalIgnoreCase)).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}: {string.Join(',', h.Value)}"))}\n{await response.Content.ReadAsStringAsync()}";

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string userName, string password) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["client_id"] = "mobile-app", ["username"] = userName, ["password"] = password,
        }));

    /// <summary>A client on its own loopback address (127.0.0.2, .3, ...), talking to the gateway.</summary>
    private HttpClient Client()
    {
        var next = Interlocked.Increment(ref _nextAddress);
        var address = IPAddress.Parse($"127.0.{next / 250}.{(next % 250) + 2}");
        return new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(address, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = Platform.GatewayAddress };
    }
}
