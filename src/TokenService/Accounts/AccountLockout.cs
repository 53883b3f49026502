using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Data;

namespace TokenService.Accounts;

/// <summary>
/// Counts failed sign-ins per account and locks it for <see cref="LockoutOptions.Duration"/> after
/// <see cref="LockoutOptions.MaxFailedAttempts"/> of them. Counting is one atomic UPDATE, so parallel guesses
/// cannot lose increments; the same statement runs for an unknown user (matching no row), so every failure
/// costs the same database work. A lockout is never extended by attempts made while it lasts.
/// </summary>
internal sealed class AccountLockout(TokenDbContext database, IOptions<LockoutOptions> options)
{
    public static bool IsLocked(User user, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.LockoutEndsAt > now;
    }

    /// <summary>Counts a failure for <paramref name="user"/> (null: unknown user, no row changes); true if this failure locked the account.</summary>
    public async Task<bool> RecordFailureAsync(User? user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var max = settings.MaxFailedAttempts;
        DateTimeOffset? lockoutEnd = now + settings.Duration;
        var id = user?.Id ?? Guid.Empty;

        // Right-hand sides see the row as it was: a lockout that has run out restarts the count at 1.
        await database.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.FailedLoginCount, u => u.LockoutEndsAt != null && u.LockoutEndsAt <= now ? 1 : u.FailedLoginCount + 1)
            .SetProperty(u => u.LockoutEndsAt, u => u.LockoutEndsAt != null && u.LockoutEndsAt > now
                ? u.LockoutEndsAt
                : (u.LockoutEndsAt != null && u.LockoutEndsAt <= now ? 1 : u.FailedLoginCount + 1) >= max ? lockoutEnd : null),
            cancellationToken).ConfigureAwait(false);

        if (user is null || IsLocked(user, now))
        {
            return false;
        }

        var failures = user.LockoutEndsAt is not null ? 1 : user.FailedLoginCount + 1;
        return failures >= max;
    }

    /// <summary>Clears the count after a correct password; false if the account was locked in the meantime (a parallel guess locked it).</summary>
    public async Task<bool> TryResetAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.Users.Where(u => u.Id == userId && (u.LockoutEndsAt == null || u.LockoutEndsAt <= now))
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.FailedLoginCount, 0).SetProperty(u => u.LockoutEndsAt, (DateTimeOffset?)null), cancellationToken)
            .ConfigureAwait(false) == 1;
}
