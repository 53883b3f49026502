using Microsoft.EntityFrameworkCore;
using TokenService.Data;
using TokenService.Passwords;

namespace TokenService.Accounts;

/// <summary>A user whose password was right, with the rights the access token will carry.</summary>
public sealed record AuthenticatedUser(string UserId, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions);

/// <summary>
/// Checks a user name and password. Every outcome runs the same work: one database read and one full Argon2id
/// verification (against a dummy hash of today's cost for an unknown user), so neither the answer nor its
/// timing tells an unknown user from a wrong password or a disabled account.
/// </summary>
internal sealed partial class PasswordLogin(TokenDbContext database, Argon2idPasswordHasher hasher, ILogger<PasswordLogin> logger)
{
    public async Task<AuthenticatedUser?> SignInAsync(string userName, string password, string clientId, CancellationToken cancellationToken)
    {
        var normalized = UserNames.Normalize(userName);
        var user = await database.Users
            .Include(u => u.Roles).ThenInclude(r => r.Permissions)
            .FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken).ConfigureAwait(false);

        var verification = hasher.Verify(user?.PasswordHash ?? hasher.DummyHash, password);
        if (user is null || user.IsDisabled || verification == PasswordVerificationResult.Failed)
        {
            LogLoginFailed(logger, clientId, user is null ? "unknown user" : user.IsDisabled ? "disabled" : "wrong password", user?.Id);
            return null;
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.Hash(password);
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        LogLoginSucceeded(logger, clientId, user.Id);
        var roles = user.Roles.Select(r => r.Name).Order(StringComparer.Ordinal).ToArray();
        var permissions = user.Roles.SelectMany(r => r.Permissions).Select(p => p.Name)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new AuthenticatedUser(user.Id.ToString(), roles, permissions);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Password login failed for client {ClientId}: {Reason} (user {UserId}).")]
    private static partial void LogLoginFailed(ILogger logger, string clientId, string reason, Guid? userId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Password login succeeded for client {ClientId}, user {UserId}.")]
    private static partial void LogLoginSucceeded(ILogger logger, string clientId, Guid userId);
}
