using System.Net;
using Microsoft.EntityFrameworkCore;
using NUnit.Framework;
using TokenService.Accounts;
using TokenService.Audit;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>
/// Five failed sign-ins lock an account for 30 minutes; the lockout never shows in the answer. Each address the user
/// signed in from in the last 30 days counts apart, so guessing elsewhere never locks the user out of it.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class AccountLockoutTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string Password = "correct-horse-battery-staple";
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(30);

    // Rate limits are covered by LoginRateLimitTests; here each test signs in from its own address.
    private static int _nextAddress;
    private Guid _lastUserId;

    [Test]
    public async Task Five_wrong_passwords_lock_the_account_so_the_right_password_fails_too()
    {
        var (user, address) = await NewUserAsync();
        await FailAsync(user, address, times: 5);

        using var response = await SignInAsync(user, Password, NewAddress());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Four_wrong_passwords_do_not_lock_the_account()
    {
        var (user, address) = await NewUserAsync();
        await FailAsync(user, address, times: 4);

        using var response = await SignInAsync(user, Password, address);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_lockout_ends_after_its_duration()
    {
        var (user, address) = await NewUserAsync();
        await FailAsync(user, address, times: 5);
        Clock.Advance(Lockout + TimeSpan.FromSeconds(1));

        using var response = await SignInAsync(user, Password, NewAddress());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Attempts_while_locked_do_not_extend_the_lockout()
    {
        var (user, address) = await NewUserAsync();
        await FailAsync(user, address, times: 5);
        Clock.Advance(Lockout - TimeSpan.FromMinutes(1));
        await FailAsync(user, NewAddress(), times: 3);
        Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        using var response = await SignInAsync(user, Password, NewAddress());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_successful_sign_in_resets_the_count()
    {
        var (user, address) = await NewUserAsync();
        await FailAsync(user, address, times: 4);
        (await SignInAsync(user, Password, address)).Dispose();
        await FailAsync(user, NewAddress(), times: 4);

        using var response = await SignInAsync(user, Password, NewAddress());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task After_a_lockout_ends_the_count_starts_again_from_zero()
    {
        var (user, address) = await NewUserAsync();
        await FailAsync(user, address, times: 5);
        Clock.Advance(Lockout + TimeSpan.FromSeconds(1));
        await FailAsync(user, NewAddress(), times: 4);

        using var response = await SignInAsync(user, Password, NewAddress());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <remarks>Part of the rule against keeping a victim locked out: guessing blocks new sign-ins, never a device already signed in.</remarks>
    [Test]
    public async Task A_lockout_leaves_the_sessions_the_user_already_has_working()
    {
        var (user, address) = await NewUserAsync();
        var (_, refresh) = await Client.SignInAsync(user, Password);
        await FailAsync(user, address, times: 5);

        using var response = await Client.RefreshAsync(refresh);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Guessing_from_elsewhere_does_not_lock_the_user_out_of_an_address_they_signed_in_from()
    {
        var (user, home) = await NewUserAsync();
        await SucceedAsync(user, home);
        await FailAsync(user, NewAddress(), times: 5);

        using var fromHome = await SignInAsync(user, Password, home);
        using var fromANewAddress = await SignInAsync(user, Password, NewAddress());

        Assert.That(fromHome.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(fromANewAddress.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Five_wrong_passwords_from_a_familiar_address_lock_only_that_address()
    {
        var (user, home) = await NewUserAsync();
        await SucceedAsync(user, home);
        await FailAsync(user, home, times: 5);
        Clock.Advance(TimeSpan.FromMinutes(16)); // past the address's sign-in rate limit, within the lockout

        using var fromHome = await SignInAsync(user, Password, home);
        using var fromANewAddress = await SignInAsync(user, Password, NewAddress());

        Assert.That(fromHome.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(fromANewAddress.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_address_is_no_longer_familiar_thirty_days_after_the_last_sign_in_from_it()
    {
        var (user, home) = await NewUserAsync();
        await SucceedAsync(user, home);
        Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        await FailAsync(user, NewAddress(), times: 5);

        using var fromHome = await SignInAsync(user, Password, home);

        Assert.That(fromHome.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Signing_in_again_from_a_familiar_address_keeps_it_familiar_for_thirty_days_from_then()
    {
        var (user, home) = await NewUserAsync();
        await SucceedAsync(user, home);
        Clock.Advance(TimeSpan.FromDays(20));
        await SucceedAsync(user, home);
        Clock.Advance(TimeSpan.FromDays(20));
        await FailAsync(user, NewAddress(), times: 5);

        using var fromHome = await SignInAsync(user, Password, home);

        Assert.That(fromHome.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Only_the_ten_most_recently_used_addresses_stay_familiar()
    {
        var (user, first) = await NewUserAsync();
        await SucceedAsync(user, first);
        var later = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            later.Add(NewAddress());
            await SucceedAsync(user, later[^1]);
        }

        await FailAsync(user, NewAddress(), times: 5);
        using var fromTheFirst = await SignInAsync(user, Password, first);
        using var fromTheOldestKept = await SignInAsync(user, Password, later[0]);

        Assert.That(fromTheFirst.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(fromTheOldestKept.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Parallel_wrong_passwords_are_all_counted()
    {
        var (user, _) = await NewUserAsync();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => (await SignInAsync(user, "wrong-password-guess", NewAddress())).Dispose()));

        using var response = await SignInAsync(user, Password, NewAddress());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task The_audit_log_records_the_lockout_and_why_later_attempts_failed()
    {
        var (user, address) = await NewUserAsync();
        await FailAsync(user, address, times: 5);
        (await SignInAsync(user, Password, NewAddress())).Dispose();

        var events = new List<AuditEvent>();
        await ChangeStoreAsync(async (database, _) => events = await database.AuditEvents
            .Where(e => e.UserId == _lastUserId).OrderBy(e => e.Id).ToListAsync());

        Assert.Multiple(() =>
        {
            Assert.That(events.Count(e => e.Type == AuditEventTypes.AccountLocked), Is.EqualTo(1));
            Assert.That(events.Where(e => e.Type == AuditEventTypes.LoginFailed).Select(e => e.Detail),
                Is.EqualTo(Enumerable.Repeat("wrong_password", 5).Append("locked")));
            Assert.That(events.Select(e => e.IpAddress), Is.All.Not.Null);
        });
    }

    /// <remarks>So an unknown name's failure writes one row, as a known user's does, and its timing tells nothing.</remarks>
    [Test]
    public async Task A_failed_sign_in_for_an_unknown_name_counts_on_its_decoy_row_and_adds_no_account()
    {
        var name = $"nobody-{Guid.NewGuid():N}";
        var (decoyBefore, usersBefore) = await DecoyAndUserCountsAsync(name);

        using var response = await SignInAsync(name, "some-password-guess", NewAddress());
        var (decoyAfter, usersAfter) = await DecoyAndUserCountsAsync(name);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(decoyAfter, Is.EqualTo(decoyBefore + 1));
            Assert.That(usersAfter, Is.EqualTo(usersBefore));
        });
    }

    private async Task<(int Decoy, int Users)> DecoyAndUserCountsAsync(string name)
    {
        var counts = (0, 0);
        await ChangeStoreAsync(async (database, _) => counts = (
            (await database.SignInDecoys.AsNoTracking().SingleAsync(d => d.Id == SignInDecoy.For(UserNames.Normalize(name)))).FailedLoginCount,
            await database.Users.CountAsync()));
        return counts;
    }

    private async Task<(string User, string Address)> NewUserAsync()
    {
        var name = $"user-{Guid.NewGuid():N}";
        _lastUserId = await AddUserAsync(name, Password);
        return (name, NewAddress());
    }

    private static string NewAddress()
    {
        var n = Interlocked.Increment(ref _nextAddress);
        return $"10.1.{n / 250}.{(n % 250) + 1}";
    }

    private Task<HttpResponseMessage> SignInAsync(string user, string password, string address) =>
        Client.PasswordGrantFromAsync(address, user, password);

    private async Task SucceedAsync(string user, string address)
    {
        using var response = await SignInAsync(user, Password, address);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task FailAsync(string user, string address, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await SignInAsync(user, $"wrong-password-{i}", address);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }
}
