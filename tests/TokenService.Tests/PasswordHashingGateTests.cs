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
        await using (await gate.EnterAsync(CancellationToken.None))
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
        await (await gate.EnterAsync(CancellationToken.None)).DisposeAsync();

        using var response = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);

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
        await using var busy = await gate.EnterAsync(CancellationToken.None);

        var waiting = gate.EnterAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.That(async () => await waiting, Throws.TypeOf<PasswordHashingOverloadedException>());
    }

    [Test]
    public async Task A_waiting_hash_runs_when_a_slot_frees_up()
    {
        var clock = new FakeTimeProvider();
        using var gate = Gate(clock, concurrent: 1, queued: 1);
        var busy = await gate.EnterAsync(CancellationToken.None);

        var waiting = gate.RunAsync(() => 42, CancellationToken.None);
        await busy.DisposeAsync();

        Assert.That(await waiting, Is.EqualTo(42));
    }

    [Test]
    public async Task Beyond_the_queue_a_request_is_refused_at_once()
    {
        using var gate = Gate(new FakeTimeProvider(), concurrent: 1, queued: 1);
        await using var busy = await gate.EnterAsync(CancellationToken.None);
        var waiting = gate.EnterAsync(CancellationToken.None);

        Assert.That(async () => await gate.EnterAsync(CancellationToken.None), Throws.TypeOf<PasswordHashingOverloadedException>());
        Assert.That(waiting.IsCompleted, Is.False);
    }

    private static PasswordHashingGate Gate(TimeProvider clock, int concurrent, int queued) => new(
        Options.Create(new PasswordHashingOptions { MaxConcurrentHashes = concurrent, MaxQueuedHashes = queued }), clock);
}
