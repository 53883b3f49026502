using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.Options;
using TokenService.Data;

namespace TokenService.Accounts;

/// <summary>
/// Counts failed sign-ins and locks for <see cref="LockoutOptions.Duration"/> after
/// <see cref="LockoutOptions.MaxFailedAttempts"/> of them, with one count per source: each address the user
/// completed a sign-in from within <see cref="LockoutOptions.FamiliarSourceLifetime"/> has its own
/// (<see cref="FamiliarSignInSource"/>), every other address shares the account's (<see cref="User"/>). So guessing
/// from anywhere else locks only the places the user never signed in from, and a victim keeps signing in from the
/// usual ones however often an attacker re-locks the account.
/// </summary>
/// <remarks>
/// Counting is one atomic UPDATE, so parallel guesses cannot lose increments; the same statements run for an unknown
/// user (the familiar-source read matching no row, the count on a <see cref="SignInDecoy"/> row), so every failure
/// costs the same database work. A lockout is never extended by attempts made while it lasts.
/// </remarks>
internal sealed class AccountLockout(TokenDbContext database, SignInQueries queries, IOptions<LockoutOptions> options)
{
    /// <summary>Finds which count judges an attempt from <paramref name="address"/> (one read, also for an unknown user).</summary>
    public async Task<SignInSource> ResolveSourceAsync(User? user, IPAddress? address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (address is null)
        {
            return new SignInSource(null, null); // an unknown address is never familiar: it would stand for every client
        }

        var key = LoginRateLimiter.AddressKey(address);
        var userId = user?.Id ?? Guid.Empty;
        var familiarSince = now - options.Value.FamiliarSourceLifetime;
        var familiar = await queries.FindFamiliarSource(database, userId, key, familiarSince, cancellationToken).ConfigureAwait(false);
        return new SignInSource(key, familiar);
    }

    public static bool IsLocked(User user, SignInSource source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(source);
        return ((ILockoutCounter?)source.Familiar ?? user).LockoutEndsAt > now;
    }

    /// <summary>Counts a failure for <paramref name="user"/>; true if this failure locked it.</summary>
    public Task<bool> RecordFailureAsync(User user, SignInSource source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(source);
        return source.Familiar is { } familiar
            ? CountFailureAsync(Rows(familiar), familiar, now, cancellationToken)
            : CountFailureAsync(database.Users.Where(u => u.Id == user.Id), user, now, cancellationToken);
    }

    /// <summary>
    /// Counts a failure for a user name nobody has, on its <see cref="SignInDecoy"/> row: the same UPDATE as a known
    /// user's failure, writing one row, locking no one.
    /// </summary>
    public Task RecordUnknownUserFailureAsync(string normalizedUserName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var decoy = SignInDecoy.For(normalizedUserName);
        return CountFailureAsync(database.SignInDecoys.Where(d => d.Id == decoy), null, now, cancellationToken);
    }

    /// <summary>
    /// After a completed sign-in: clears the source's count and remembers the source as familiar; false if it was
    /// locked in the meantime (a parallel guess locked it). A familiar source takes one statement for both.
    /// </summary>
    public async Task<bool> TryResetAsync(Guid userId, SignInSource source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Familiar is { } familiar)
        {
            return await ResetAsync(Rows(familiar), now, set => set.SetProperty(s => s.LastSignInAt, now), cancellationToken).ConfigureAwait(false);
        }

        var reset = await ResetAsync(database.Users.Where(u => u.Id == userId), now, alsoSet: null, cancellationToken).ConfigureAwait(false);
        if (reset && source.Address is { } address)
        {
            await RememberAsync(userId, address, now, cancellationToken).ConfigureAwait(false);
        }

        return reset;
    }

    private IQueryable<FamiliarSignInSource> Rows(FamiliarSignInSource source) =>
        database.FamiliarSignInSources.Where(s => s.UserId == source.UserId && s.Address == source.Address);

    private async Task<bool> CountFailureAsync<T>(IQueryable<T> rows, ILockoutCounter? before, DateTimeOffset now, CancellationToken cancellationToken)
        where T : class, ILockoutCounter
    {
        var max = options.Value.MaxFailedAttempts;
        DateTimeOffset? lockoutEnd = now + options.Value.Duration;

        // Right-hand sides see the row as it was: a lockout that has run out restarts the count at 1.
        await rows.ExecuteUpdateAsync(set => set
            .SetProperty(c => c.FailedLoginCount, c => c.LockoutEndsAt != null && c.LockoutEndsAt <= now ? 1 : c.FailedLoginCount + 1)
            .SetProperty(c => c.LockoutEndsAt, c => c.LockoutEndsAt != null && c.LockoutEndsAt > now
                ? c.LockoutEndsAt
                : (c.LockoutEndsAt != null && c.LockoutEndsAt <= now ? 1 : c.FailedLoginCount + 1) >= max ? lockoutEnd : null),
            cancellationToken).ConfigureAwait(false);

        if (before is null || before.LockoutEndsAt > now)
        {
            return false;
        }

        var failures = before.LockoutEndsAt is not null ? 1 : before.FailedLoginCount + 1;
        return failures >= max;
    }

    /// <summary>Clears the count of the rows that are not locked (and sets what <paramref name="alsoSet"/> adds); true if any was.</summary>
    private static async Task<bool> ResetAsync<T>(IQueryable<T> rows, DateTimeOffset now, Action<UpdateSettersBuilder<T>>? alsoSet, CancellationToken cancellationToken)
        where T : class, ILockoutCounter =>
        await rows.Where(c => c.LockoutEndsAt == null || c.LockoutEndsAt <= now)
            .ExecuteUpdateAsync(set =>
            {
                set.SetProperty(c => c.FailedLoginCount, 0).SetProperty(c => c.LockoutEndsAt, (DateTimeOffset?)null);
                alsoSet?.Invoke(set);
            }, cancellationToken)
            .ConfigureAwait(false) > 0;

    /// <summary>
    /// Marks <paramref name="address"/> familiar from now on, keeping at most <see cref="LockoutOptions.MaxFamiliarSources"/>
    /// per user (the least recently used are forgotten). No unique constraint: two first sign-ins racing from one new
    /// address may both insert, and the pair then counts as one (every statement matches both rows alike).
    /// </summary>
    private async Task RememberAsync(Guid userId, string address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var known = await database.FamiliarSignInSources.Where(s => s.UserId == userId && s.Address == address)
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.LastSignInAt, now)
                .SetProperty(s => s.FailedLoginCount, s => s.LockoutEndsAt > now ? s.FailedLoginCount : 0), cancellationToken)
            .ConfigureAwait(false);
        if (known > 0)
        {
            return;
        }

        await database.FamiliarSignInSources.Where(s => s.UserId == userId)
            .OrderByDescending(s => s.LastSignInAt).ThenBy(s => s.Id)
            .Skip(options.Value.MaxFamiliarSources - 1)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        database.FamiliarSignInSources.Add(new FamiliarSignInSource { Id = Guid.NewGuid(), UserId = userId, Address = address, LastSignInAt = now });
    }
}
