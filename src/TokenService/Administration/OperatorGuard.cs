using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TokenService.Data;

namespace TokenService.Administration;

/// <summary>
/// Keeps the store administrable: a change that could take rights away from operators (revoking a permission from a
/// role, removing a role from a user, disabling a user) is refused when afterwards no operator would remain — no
/// enabled, confirmed user holding both <c>users:manage</c> and <c>roles:manage</c> through their roles.
/// </summary>
/// <remarks>
/// Such changes are serialised: on PostgreSQL each takes the transaction-scoped advisory lock
/// <see cref="AdvisoryLockKey"/> before writing, so a second change waits for the first to commit and its check
/// (a fresh READ COMMITTED snapshot) sees the first change; two operators disabling each other at once therefore
/// leave one of them. SQLite transactions are <c>BEGIN IMMEDIATE</c> and serialise writers anyway. A lock rather
/// than SERIALIZABLE isolation: no serialisation failures to retry, no schema change, and only these rare admin
/// changes queue behind it.
/// </remarks>
internal static class OperatorGuard
{
    /// <summary>The key of the PostgreSQL advisory lock (an arbitrary constant: "operator" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x6f70657261746f72;

    public static readonly string[] OperatorPermissions = [AdminUsersEndpoints.Permission, AdminRolesEndpoints.Permission];

    /// <summary>
    /// Runs <paramref name="save"/> (which writes the change) in a transaction, serialised with every other guarded
    /// change; rolls it back and returns false when no operator remains afterwards.
    /// </summary>
    public static async Task<bool> SaveUnlessLastOperatorAsync(TokenDbContext database, Func<Task> save, CancellationToken cancellationToken)
    {
        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (database is PostgresTokenDbContext)
        {
            await database.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
        }

        await save().ConfigureAwait(false);
        if (!await AnyOperatorAsync(database, cancellationToken).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The 409 answer to a change refused by <see cref="SaveUnlessLastOperatorAsync"/>.</summary>
    public static ProblemHttpResult LastOperator() => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "The change would leave nobody able to administer the token service.",
        detail: $"At least one enabled user must keep {string.Join(" and ", OperatorPermissions)} through their roles. Give another user these rights first.");

    private static Task<bool> AnyOperatorAsync(TokenDbContext database, CancellationToken cancellationToken) =>
        database.Users.AnyAsync(u => !u.IsDisabled && u.ConfirmationTokenHash == null
            && u.Roles.Any(r => r.Permissions.Any(p => p.Name == AdminUsersEndpoints.Permission))
            && u.Roles.Any(r => r.Permissions.Any(p => p.Name == AdminRolesEndpoints.Permission)), cancellationToken);
}
