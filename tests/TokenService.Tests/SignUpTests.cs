using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NUnit.Framework;
using TokenService.Accounts;
using TokenService.Data;
using TokenService.Notifications;

namespace TokenService.Tests;

/// <summary>Sign-up answers the same whether the address is new or taken; the owner of the address learns which.</summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SignUpTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string Password = "a-long-uncommon-passphrase";

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Accounts:SignUp:Enabled"] = "true",
    };

    [Test]
    public async Task New_and_taken_addresses_get_byte_identical_answers()
    {
        var email = NewEmail();
        var answers = new List<string>();
        foreach (var _ in new[] { "new", "taken" })
        {
            using var response = await SignUpAsync(email, Password);
            var headers = response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date")
                .Select(h => $"{h.Key}: {string.Join(',', h.Value)}").Order(StringComparer.Ordinal);
            answers.Add($"{(int)response.StatusCode}\n{string.Join('\n', headers)}\n{await response.Content.ReadAsStringAsync()}");
        }

        Assert.That(answers.Distinct().Count(), Is.EqualTo(1), string.Join("\n---\n", answers));
        Assert.That(answers[0], Does.StartWith("202"));
    }

    [Test]
    public async Task The_owner_of_a_taken_address_is_notified_and_no_second_account_is_made()
    {
        var email = NewEmail();
        (await SignUpAsync(email, Password)).Dispose();

        (await SignUpAsync(email.ToUpperInvariant(), "another-long-passphrase")).Dispose();

        var messages = await OutboxAsync(email);
        var users = 0;
        await ChangeStoreAsync(async (database, _) => users = await database.Users.CountAsync(u => u.NormalizedEmail == UserNames.Normalize(email)));
        Assert.That(messages.Select(m => m.Kind), Is.EqualTo(new[] { NotificationKinds.ConfirmSignUp, NotificationKinds.SignUpAttemptForExistingAccount }));
        Assert.That(users, Is.EqualTo(1));
    }

    [Test]
    public async Task An_unconfirmed_account_cannot_sign_in_but_a_confirmed_one_can()
    {
        var email = NewEmail();
        (await SignUpAsync(email, Password)).Dispose();
        using var before = await Client.PasswordGrantAsync(email, Password);

        using var confirmed = await Client.SendJsonAsync(HttpMethod.Post, "/account/signup/confirm", new { token = await ConfirmationTokenAsync(email) });
        using var after = await Client.PasswordGrantAsync(email, Password);

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_new_account_gets_the_default_role()
    {
        var email = NewEmail();
        (await SignUpAsync(email, Password)).Dispose();

        var roles = Array.Empty<string>();
        await ChangeStoreAsync(async (database, _) => roles = await database.Users.Where(u => u.Email == email)
            .SelectMany(u => u.Roles).Select(r => r.Name).ToArrayAsync());

        Assert.That(roles, Is.EqualTo(new[] { "user" }));
    }

    [Test]
    public async Task A_lapsed_unconfirmed_sign_up_frees_its_address()
    {
        var email = NewEmail();
        (await SignUpAsync(email, Password)).Dispose();
        Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        (await SignUpAsync(email, Password)).Dispose();

        Assert.That((await OutboxAsync(email)).Select(m => m.Kind), Is.EqualTo(new[] { NotificationKinds.ConfirmSignUp, NotificationKinds.ConfirmSignUp }));
    }

    [Test]
    public async Task A_wrong_confirmation_token_is_refused()
    {
        using var response = await Client.SendJsonAsync(HttpMethod.Post, "/account/signup/confirm", new { token = new string('A', 43) });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [TestCase("password1234", "password")]
    [TestCase("short", "password")]
    public async Task A_weak_password_is_refused_and_nothing_is_created(string password, string field)
    {
        var email = NewEmail();
        using var response = await SignUpAsync(email, password);

        var body = await response.JsonAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("errors").TryGetProperty(field, out _), Is.True);
        Assert.That(await OutboxAsync(email), Is.Empty);
    }

    [TestCaseSource(nameof(BadBodies))]
    public async Task Bad_input_gets_a_400_problem_and_changes_nothing(string content, string contentType)
    {
        var before = await CountUsersAsync();

        using var response = await Client.SendRawAsync(HttpMethod.Post, "/account/signup", content, contentType);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(await CountUsersAsync(), Is.EqualTo(before));
        });
    }

    private static IEnumerable<TestCaseData> BadBodies()
    {
        static string Body(string email, string password = Password) => JsonSerializer.Serialize(new { email, password });
        yield return new TestCaseData("{\"email\": ", "application/json").SetArgDisplayNames("malformed JSON");
        yield return new TestCaseData(Body("x@example.com"), "text/plain").SetArgDisplayNames("wrong content type");
        yield return new TestCaseData(Body("x@example.com"), "application/x-www-form-urlencoded").SetArgDisplayNames("form content type");
        yield return new TestCaseData("[]", "application/json").SetArgDisplayNames("array");
        yield return new TestCaseData("{\"email\":\"x@example.com\"}", "application/json").SetArgDisplayNames("missing field");
        yield return new TestCaseData("{\"email\":null,\"password\":\"a-long-uncommon-passphrase\"}", "application/json").SetArgDisplayNames("null field");
        yield return new TestCaseData("{\"email\":\"a@example.com\",\"email\":\"b@example.com\",\"password\":\"a-long-uncommon-passphrase\"}", "application/json")
            .SetArgDisplayNames("duplicate field");
        yield return new TestCaseData("{\"email\":\"x@example.com\",\"password\":\"a-long-uncommon-passphrase\",\"isAdmin\":true}", "application/json")
            .SetArgDisplayNames("unknown field");
        yield return new TestCaseData(Body(new string('a', 20_000) + "@example.com"), "application/json").SetArgDisplayNames("oversized body");
        yield return new TestCaseData(Body(new string('a', 300) + "@example.com"), "application/json").SetArgDisplayNames("oversized address");
        yield return new TestCaseData(Body("ad\u202Emin@example.com"), "application/json").SetArgDisplayNames("right-to-left override");
        yield return new TestCaseData(Body("ad\u200Bmin@example.com"), "application/json").SetArgDisplayNames("zero-width space");
        yield return new TestCaseData(Body("admin\u0000@example.com"), "application/json").SetArgDisplayNames("NUL");
        yield return new TestCaseData(Body("a\nb@example.com"), "application/json").SetArgDisplayNames("newline");
        yield return new TestCaseData("{\"email\":\"\\ud800x@example.com\",\"password\":\"a-long-uncommon-passphrase\"}", "application/json")
            .SetArgDisplayNames("unpaired surrogate");
        yield return new TestCaseData(Body("x'; DROP TABLE users; --@example.com"), "application/json").SetArgDisplayNames("SQL-ish");
        yield return new TestCaseData(Body("not-an-address"), "application/json").SetArgDisplayNames("no @");
    }

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";

    private Task<HttpResponseMessage> SignUpAsync(string email, string password) =>
        Client.SendJsonAsync(HttpMethod.Post, "/account/signup", new { email, password });

    private async Task<List<OutboxMessage>> OutboxAsync(string email)
    {
        var messages = new List<OutboxMessage>();
        await ChangeStoreAsync(async (database, _) => messages = await database.OutboxMessages.Where(m => m.Recipient == email).OrderBy(m => m.Id).ToListAsync());
        return messages;
    }

    private async Task<string> ConfirmationTokenAsync(string email)
    {
        var message = (await OutboxAsync(email)).Single(m => m.Kind == NotificationKinds.ConfirmSignUp);
        return JsonDocument.Parse(message.Payload).RootElement.GetProperty("token").GetString()!;
    }

    private async Task<int> CountUsersAsync()
    {
        var count = 0;
        await ChangeStoreAsync(async (database, _) => count = await database.Users.CountAsync());
        return count;
    }
}
