using System.Net;
using Microsoft.EntityFrameworkCore;
using NUnit.Framework;
using TestSupport;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>Single use must hold under races: parallel refreshes of one token across two instances sharing the database.</summary>
[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class ConcurrentRefreshTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const int ParallelRefreshes = 24;
    private ConfiguredHost<AccessTokenIssuer> _secondInstance = null!;
    private HttpClient _secondClient = null!;

    [OneTimeSetUp]
    public void StartSecondInstance()
    {
        _secondInstance = CreateInstance();
        _secondClient = _secondInstance.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopSecondInstance()
    {
        _secondClient.Dispose();
        await _secondInstance.DisposeAsync();
    }

    [Test]
    public async Task Parallel_refreshes_of_one_token_through_two_instances_all_get_the_one_successor()
    {
        using var signIn = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);
        var refresh = (await signIn.JsonAsync()).GetProperty("refresh_token").GetString()!;

        using var start = new ManualResetEventSlim();
        var requests = Enumerable.Range(0, ParallelRefreshes).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var client = i % 2 == 0 ? Client : _secondClient;
            using var response = await client.RequestAsync([
                new("grant_type", "refresh_token"), new("refresh_token", refresh), new("client_id", "mobile-app"),
            ]);
            var body = await response.JsonAsync();
            return (response.StatusCode, Refresh: body.TryGetProperty("refresh_token", out var value) ? value.GetString() : null);
        })).ToArray();
        start.Set();
        var answers = await Task.WhenAll(requests);

        var (liveTokens, revokedSessions) = (0, 0);
        await ChangeStoreAsync(async (database, _) =>
        {
            liveTokens = await database.RefreshTokens.CountAsync(t => t.ConsumedAt == null && t.Family.RevokedAt == null);
            revokedSessions = await database.RefreshTokenFamilies.CountAsync(f => f.RevokedAt != null);
        });
        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(answers.Select(a => a.Refresh).Distinct().Count(), Is.EqualTo(1), "every caller got the same successor");
            Assert.That(liveTokens, Is.EqualTo(1), "exactly one live refresh token");
            Assert.That(revokedSessions, Is.Zero, "nobody was logged out");
        });
    }
}
