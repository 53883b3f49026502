using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using TokenService.Data;
using TokenService.Passwords;

namespace TokenService.Tests;

/// <summary>Password hashing runs at most N at once; excess is refused fast with 503 and Retry-After.</summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class PasswordHashingGateTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Passwords:Hashing:MaxConcurrentHashes"] = "1",
        ["Passwords:Hashing:MaxQueuedHashes"] = "0",
    };

    [Test]
    public async Task A_sign_in_while_every_hashing_slot_is_busy_gets_503_with_Retry_After()
    {
        var gate = Host.Services.GetRequiredService<PasswordHashingGate>();
        HttpResponseMessage response;
        using (var place = gate.Reserve())
        await using (await place.EnterAsync(CancellationToken.None))
        {
            response = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);
        }

        using (response)
        {
            Assert.Multiple(async () =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("temporarily_unavailable"));
            });
        }
    }

    [Test]
    public async Task Sign_in_works_again_once_the_slot_is_free()
    {
        var gate = Host.Services.GetRequiredService<PasswordHashingGate>();
        using (var place = gate.Reserve())
        {
            await (await place.EnterAsync(CancellationToken.None)).DisposeAsync();
        }

        using var response = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_sign_in_refused_for_a_full_line_answers_the_same_for_every_account()
    {
        var gate = Host.Services.GetRequiredService<PasswordHashingGate>();
        var attempts = new[] { ("alice", TokenServiceHost.UserPassword), ("alice", "a-wrong-password"), ("nobody-at-all", "a-wrong-password") };
        var answers = new List<string>();
        using (gate.Reserve())
        {
            foreach (var (user, password) in attempts)
            {
                using var response = await Client.PasswordGrantFromAsync($"10.3.1.{answers.Count + 1}", user, password);
                answers.Add($"{(int)response.StatusCode} {response.Headers.RetryAfter} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.That(answers, Is.All.EqualTo(answers[0]).And.All.StartWith("503 1 "));
    }

    [Test]
    public async Task A_sign_in_refused_for_a_full_line_is_refused_before_its_client_is_looked_up()
    {
        var gate = Host.Services.GetRequiredService<PasswordHashingGate>();
        HttpResponseMessage response;
        using (gate.Reserve())
        {
            response = await Client.RequestAsync([
                new("grant_type", "password"), new("client_id", "no-such-client"), new("username", "alice"), new("password", TokenServiceHost.UserPassword),
            ]);
        }

        using (response)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
    }

    [Test]
    public async Task Other_grants_are_not_refused_for_a_full_line()
    {
        var gate = Host.Services.GetRequiredService<PasswordHashingGate>();
        HttpResponseMessage response;
        using (gate.Reserve())
        {
            response = await Client.ClientCredentialsAsync("orders-service", TokenServiceHost.OrdersServiceSecret);
        }

        using (response)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task Sign_ins_refused_for_a_full_line_count_no_failure_toward_the_lockout()
    {
        var gate = Host.Services.GetRequiredService<PasswordHashingGate>();
        using (gate.Reserve())
        {
            for (var i = 0; i < 6; i++)
            {
                using var refused = await Client.PasswordGrantFromAsync($"10.3.2.{i + 1}", "alice", "a-wrong-password");
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            }
        }

        using var response = await Client.PasswordGrantFromAsync("10.3.2.100", "alice", TokenServiceHost.UserPassword);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_flood_of_sign_ins_from_many_addresses_is_partly_refused_with_503()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Client.PasswordGrantFromAsync($"10.3.0.{i + 1}", "alice", TokenServiceHost.UserPassword)));
        var statuses = responses.Select(r => r.StatusCode).ToArray();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(statuses, Does.Contain(HttpStatusCode.ServiceUnavailable));
    }
}

/// <summary>The gate on its own, on a fake clock.</summary>
public sealed class PasswordHashingGateUnitTests
{
    [Test]
    public async Task A_waiting_hash_gives_up_after_the_longest_wait()
    {
        var clock = new FakeTimeProvider();
        using var gate = Gate(clock, concurrent: 1, queued: 1);
        using var first = gate.Reserve();
        await using var busy = await first.EnterAsync(CancellationToken.None);

        using var second = gate.Reserve();
        var waiting = second.EnterAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.That(async () => await waiting, Throws.TypeOf<PasswordHashingOverloadedException>());
    }

    [Test]
    public async Task A_waiting_hash_runs_when_a_slot_frees_up()
    {
        var clock = new FakeTimeProvider();
        using var gate = Gate(clock, concurrent: 1, queued: 1);
        using var first = gate.Reserve();
        var busy = await first.EnterAsync(CancellationToken.None);

        var waiting = gate.RunAsync(() => 42, CancellationToken.None);
        await busy.DisposeAsync();

        Assert.That(await waiting, Is.EqualTo(42));
    }

    [Test]
    public async Task Beyond_the_queue_a_request_is_refused_at_once()
    {
        using var gate = Gate(new FakeTimeProvider(), concurrent: 1, queued: 1);
        using var first = gate.Reserve();
        await using var busy = await first.EnterAsync(CancellationToken.None);
        using var second = gate.Reserve();
        var waiting = second.EnterAsync(CancellationToken.None);

        Assert.That(() => gate.Reserve(), Throws.TypeOf<PasswordHashingOverloadedException>());
        Assert.That(waiting.IsCompleted, Is.False);
    }

    [Test]
    public void Places_taken_before_any_hashing_fill_the_line()
    {
        using var gate = Gate(new FakeTimeProvider(), concurrent: 1, queued: 1);
        using var first = gate.Reserve();
        using var second = gate.Reserve();

        Assert.That(() => gate.Reserve(), Throws.TypeOf<PasswordHashingOverloadedException>());
    }

    [Test]
    public void Leaving_the_line_frees_a_place()
    {
        using var gate = Gate(new FakeTimeProvider(), concurrent: 1, queued: 0);
        gate.Reserve().Dispose();

        Assert.That(() => gate.Reserve().Dispose(), Throws.Nothing);
    }

    [Test]
    public async Task A_place_runs_one_hash_after_another()
    {
        using var gate = Gate(new FakeTimeProvider(), concurrent: 1, queued: 0);
        using var place = gate.Reserve();

        var results = new[] { await place.RunAsync(() => 1, CancellationToken.None), await place.RunAsync(() => 2, CancellationToken.None) };

        Assert.That(results, Is.EqualTo(new[] { 1, 2 }));
    }

    private static PasswordHashingGate Gate(TimeProvider clock, int concurrent, int queued) => new(
        Options.Create(new PasswordHashingOptions { MaxConcurrentHashes = concurrent, MaxQueuedHashes = queued }), clock);
}
