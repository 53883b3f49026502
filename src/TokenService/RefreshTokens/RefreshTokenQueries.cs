using Microsoft.EntityFrameworkCore;
using TokenService.Accounts;
using TokenService.Data;

namespace TokenService.RefreshTokens;

/// <summary>
/// The refresh grant's reads, compiled once per host: no expression-tree walk or query-cache look-up per refresh.
/// A singleton, not static: a compiled query is bound to the first model it runs against, and each host runs one
/// provider's model.
/// </summary>
internal sealed class RefreshTokenQueries
{
    /// <summary>A refresh token by the hash of its value, with its session; both tracked, so a rotation's writes are one batch.</summary>
    public Func<TokenDbContext, byte[], CancellationToken, Task<RefreshToken?>> FindTokenWithFamily { get; } =
        EF.CompileAsyncQuery((TokenDbContext database, byte[] hash, CancellationToken _) =>
            database.RefreshTokens.Include(t => t.Family).FirstOrDefault(t => t.TokenHash == hash));

    /// <summary>A user with roles and the roles' permissions (as <see cref="UserQueries.WithRights"/>), untracked.</summary>
    public Func<TokenDbContext, Guid, CancellationToken, Task<User?>> FindUserWithRights { get; } =
        EF.CompileAsyncQuery((TokenDbContext database, Guid userId, CancellationToken _) =>
            database.Users.AsNoTracking().Include(u => u.Roles).ThenInclude(r => r.Permissions).FirstOrDefault(u => u.Id == userId));
}
