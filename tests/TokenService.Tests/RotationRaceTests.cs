using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;
using NUnit.Framework;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>
/// A rotation reads the token and its session, signs, then writes: what another transaction commits in between must
/// win. Each test holds a conflicting change uncommitted on the row the rotation will write, waits until the rotation
/// is blocked on that row's lock, then commits it, or has the server cancel the waiting statement (PostgreSQL only:
/// SQLite has no row locks to wait on).
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class RotationRaceTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private static readonly TimeSpan LockWaitTimeout = TimeSpan.FromSeconds(15);

    /// <summary>What another transaction holds on the row a rotation will write, keyed by the session's id (<c>$1</c>).</summary>
    public static IEnumerable<TestCaseData> ConflictingChanges() =>
    [
        new TestCaseData("""UPDATE refresh_token_families SET "RevokedAt" = now(), "RevokedReason" = 'logout' WHERE "Id" = $1""")
            .SetArgDisplayNames("the session revoked"),
        new TestCaseData("""UPDATE refresh_tokens SET "ConsumedAt" = now(), "SuccessorId" = gen_random_uuid() WHERE "FamilyId" = $1""")
            .SetArgDisplayNames("the token consumed by another rotation"),
    ];

    [TestCaseSource(nameof(ConflictingChanges))]
    public async Task A_change_committed_while_a_refresh_waits_on_its_row_wins_and_nothing_is_issued(string conflict)
    {
        var (sessionId, refresh) = await SignInAsync();

        using var response = await RefreshWhileHeldAsync(conflict, sessionId, refresh, held => held.CommitAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
        Assert.That(await TokensInSessionAsync(sessionId), Is.EqualTo(1), "no successor was stored");
    }

    [Test]
    public async Task A_refresh_whose_statement_the_server_cancels_is_answered_503_with_Retry_After_and_nothing_is_issued()
    {
        var (sessionId, refresh) = await SignInAsync();

        // What a statement_timeout or an operator's pg_cancel_backend does to a refresh stuck behind a lock.
        using var response = await RefreshWhileHeldAsync(
            """UPDATE refresh_token_families SET "LastUsedAt" = now() WHERE "Id" = $1""", sessionId, refresh, _ => CancelTheWaitingStatementAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(DatabaseUnavailableHandler.RetryAfter));
        Assert.That((await response.JsonAsync()).GetProperty("error").GetString(), Is.EqualTo(RetryLaterResult.Error));
        Assert.That(await TokensInSessionAsync(sessionId), Is.EqualTo(1), "no successor was stored");
    }

    /// <summary>
    /// Signs in at a whole microsecond, the database's precision, so the refresh (on the same standing clock) leaves the
    /// session's <c>LastUsedAt</c> as it was: the session's concurrency check must not depend on that value changing.
    /// </summary>
    private async Task<(Guid SessionId, string Refresh)> SignInAsync()
    {
        Clock.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond - Clock.GetUtcNow().Ticks % TimeSpan.TicksPerMicrosecond));
        var (access, refresh) = await Client.SignInAsync("alice", TokenServiceHost.UserPassword);
        return (Guid.Parse(new JsonWebToken(access).GetClaim("sid").Value), refresh);
    }

    /// <summary>
    /// Runs <paramref name="conflict"/> in a transaction, refreshes, and once the refresh waits on the held row does
    /// <paramref name="onceWaiting"/> (the transaction is rolled back at the end unless that committed it).
    /// </summary>
    private async Task<HttpResponseMessage> RefreshWhileHeldAsync(
        string conflict, Guid sessionId, string refresh, Func<NpgsqlTransaction, Task> onceWaiting)
    {
        await using var holder = new NpgsqlConnection(ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(conflict, holder, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
            Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
        }

        var refreshing = Client.RefreshAsync(refresh);
        await WaitForALockWaitAsync(refreshing);
        await onceWaiting(transaction);
        return await refreshing;
    }

    private async Task CancelTheWaitingStatementAsync()
    {
        await using var canceller = new NpgsqlConnection(ConnectionString);
        await canceller.OpenAsync();
        await using var cancel = new NpgsqlCommand(
            """SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'""",
            canceller);
        Assert.That(await cancel.ExecuteScalarAsync(), Is.EqualTo(1L), "one waiting statement was cancelled");
    }

    private async Task WaitForALockWaitAsync(Task refreshing)
    {
        await using var observer = new NpgsqlConnection(ConnectionString);
        await observer.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            """SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'""", observer);
        var deadline = TimeProvider.System.GetUtcNow() + LockWaitTimeout;
        while ((long)(await waiting.ExecuteScalarAsync())! == 0)
        {
            Assert.That(refreshing.IsCompleted, Is.False, "the refresh finished without waiting for the held row");
            Assert.That(TimeProvider.System.GetUtcNow(), Is.LessThan(deadline), "the refresh never waited for the held row");
            await Task.Delay(10);
        }
    }

    private async Task<int> TokensInSessionAsync(Guid sessionId)
    {
        var count = 0;
        await ChangeStoreAsync(async (database, _) => count = await database.RefreshTokens.CountAsync(t => t.FamilyId == sessionId));
        return count;
    }
}
