using Microsoft.EntityFrameworkCore;
using TokenService.Data;

namespace TokenService.Accounts;

/// <summary>
/// The reads every password sign-in makes, compiled once per host: no expression-tree walk or query-cache look-up per
/// sign-in. A singleton, not static: a compiled query is bound to the first model it runs against, and each host runs
/// one provider's model.
/// </summary>
internal sealed class SignInQueries
{
    /// <summary>
    /// A user by normalised name with roles, the roles' permissions (as <see cref="UserQueries.WithRights"/>) and the MFA
    /// state, tracked (a sign-in may store a rehashed password).
    /// </summary>
    public Func<TokenDbContext, string, CancellationToken, Task<User?>> FindUserToSignIn { get; } =
        EF.CompileAsyncQuery((TokenDbContext database, string normalizedUserName, CancellationToken _) =>
            database.Users.Include(u => u.Roles).ThenInclude(r => r.Permissions).Include(u => u.Mfa)
                .FirstOrDefault(u => u.NormalizedUserName == normalizedUserName));

    /// <summary>The user's most recently used source at an address, if it was used since the given time.</summary>
    public Func<TokenDbContext, Guid, string, DateTimeOffset, CancellationToken, Task<FamiliarSignInSource?>> FindFamiliarSource { get; } =
        EF.CompileAsyncQuery((TokenDbContext database, Guid userId, string address, DateTimeOffset since, CancellationToken _) =>
            database.FamiliarSignInSources.AsNoTracking()
                .Where(s => s.UserId == userId && s.Address == address && s.LastSignInAt > since)
                .OrderByDescending(s => s.LastSignInAt)
                .FirstOrDefault());

    /// <summary>The attempts counted under either of two rate-limit keys since the given time, untracked.</summary>
    public Func<TokenDbContext, byte[], byte[], DateTimeOffset, IAsyncEnumerable<SignInAttempt>> RecentAttempts { get; } =
        EF.CompileAsyncQuery((TokenDbContext database, byte[] firstKey, byte[] secondKey, DateTimeOffset since) =>
            database.SignInAttempts.AsNoTracking().Where(a => (a.KeyHash == firstKey || a.KeyHash == secondKey) && a.At > since));
}
