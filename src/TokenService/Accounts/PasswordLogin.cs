using Microsoft.EntityFrameworkCore;
using TokenService.Audit;
using TokenService.Data;
using TokenService.Passwords;

namespace TokenService.Accounts;

/// <summary>
/// Checks a user name and password. Every outcome runs the same work: one database read and one full Argon2id
/// verification (against a dummy hash of today's cost for an unknown user), so neither the answer nor its
/// timing tells an unknown user from a wrong password or a disabled account.
/// </summary>
internal sealed partial class PasswordLogin(TokenDbContext database, Argon2idPasswordHasher hasher, AuditLog audit, ILogger<PasswordLogin> logger)
{
    public async Task<AuthenticatedUser?> SignInAsync(string userName, string password, string clientId, CancellationToken cancellationToken)
    {
        var normalized = UserNames.Normalize(userName);
        var user = await database.Users.WithRights()
            .FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, cancellationToken).ConfigureAwait(false);

        var verification = hasher.Verify(user?.PasswordHash ?? hasher.DummyHash, password);
        if (user is null || user.IsDisabled || verification == PasswordVerificationResult.Failed)
        {
            var reason = user is null ? "unknown_user" : user.IsDisabled ? "disabled" : "wrong_password";
            LogLoginFailed(logger, clientId, reason, user?.Id);
            audit.Record(AuditEventTypes.LoginFailed, user?.Id, clientId, detail: reason);
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.Hash(password);
        }

        LogLoginSucceeded(logger, clientId, user.Id);
        audit.Record(AuditEventTypes.LoginSucceeded, user.Id, clientId);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return AuthenticatedUser.From(user);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Password login failed for client {ClientId}: {Reason} (user {UserId}).")]
    private static partial void LogLoginFailed(ILogger logger, string clientId, string reason, Guid? userId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Password login succeeded for client {ClientId}, user {UserId}.")]
    private static partial void LogLoginSucceeded(ILogger logger, string clientId, Guid userId);
}
