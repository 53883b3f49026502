using System.Net;
using TokenService.Audit;
using TokenService.Data;
using TokenService.Passwords;

namespace TokenService.Accounts;

/// <summary>
/// Checks a user name and password. Every outcome runs the same work: one database read, one full Argon2id
/// verification (against a dummy hash of today's cost for an unknown user, against the real hash for a locked
/// or disabled one) and one lockout UPDATE that writes one row (for an unknown user, a <see cref="SignInDecoy"/>'s), so neither the answer nor its timing tells an unknown user from a
/// wrong password, a locked or a disabled account. The read includes the user's MFA state, so a user with MFA
/// costs exactly the same on every failure path too. The caller has taken its place in the hashing gate's line before
/// anything else (<see cref="PasswordHashing.Reserve"/>): a sign-in refused for a full line never gets here, so the
/// refusal is the same for every account, costs almost nothing and counts no failure.
/// </summary>
/// <remarks>
/// A correct password of a user with MFA does not clear the failure count: only the completed second factor does,
/// so wrong codes and wrong passwords add up to one lockout and a known password cannot buy unlimited code guesses.
/// A failure is saved here; a success is not: its audit entry (and a rehashed password, a newly familiar address) go
/// with the caller's answer, in the one save that also writes the session or the second-factor challenge.
/// </remarks>
internal sealed partial class PasswordLogin(
    TokenDbContext database, SignInQueries queries, PasswordHashing hashing, AccountLockout lockout, AuditLog audit, TimeProvider time, ILogger<PasswordLogin> logger)
{
    public async Task<PasswordSignIn?> SignInAsync(
        PasswordHashingGate.Place place, string userName, string password, string clientId, IPAddress? address, CancellationToken cancellationToken)
    {
        var normalized = UserNames.Normalize(userName);
        var user = await queries.FindUserToSignIn(database, normalized, cancellationToken).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var source = await lockout.ResolveSourceAsync(user, address, now, cancellationToken).ConfigureAwait(false);
        var storedHash = user?.PasswordHash ?? hashing.DummyHash;
        var verification = await hashing.VerifyAsync(place, storedHash, password, cancellationToken).ConfigureAwait(false);
        var reason = user is null ? "unknown_user"
            : user.IsDisabled ? "disabled"
            : user.ConfirmationTokenHash is not null ? "unconfirmed"
            : AccountLockout.IsLocked(user, source, now) ? "locked"
            : verification == PasswordVerificationResult.Failed ? "wrong_password"
            : null;
        if (reason is null && !user!.HasMfa && !await lockout.TryResetAsync(user.Id, source, now, cancellationToken).ConfigureAwait(false))
        {
            reason = "locked";
        }

        if (reason is not null)
        {
            var lockedNow = false;
            if (user is null)
            {
                await lockout.RecordUnknownUserFailureAsync(normalized, now, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                lockedNow = await lockout.RecordFailureAsync(user, source, now, cancellationToken).ConfigureAwait(false);
            }

            LogLoginFailed(logger, clientId, reason, user?.Id);
            audit.Record(AuditEventTypes.LoginFailed, user?.Id, clientId, detail: reason);
            if (lockedNow)
            {
                LogAccountLocked(logger, user!.Id);
                audit.Record(AuditEventTypes.AccountLocked, user.Id, clientId);
            }

            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user!.PasswordHash = await hashing.HashAsync(place, password, cancellationToken).ConfigureAwait(false);
        }

        if (user!.HasMfa)
        {
            LogSecondFactorRequired(logger, clientId, user.Id); // audited with the challenge it gets
        }
        else
        {
            LogLoginSucceeded(logger, clientId, user.Id);
            audit.Record(AuditEventTypes.LoginSucceeded, user.Id, clientId);
        }

        return new PasswordSignIn(AuthenticatedUser.From(user), user.HasMfa);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Password login failed for client {ClientId}: {Reason} (user {UserId}).")]
    private static partial void LogLoginFailed(ILogger logger, string clientId, string reason, Guid? userId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Password login succeeded for client {ClientId}, user {UserId}.")]
    private static partial void LogLoginSucceeded(ILogger logger, string clientId, Guid userId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Password correct for client {ClientId}, user {UserId}; the second factor is required.")]
    private static partial void LogSecondFactorRequired(ILogger logger, string clientId, Guid userId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Account {UserId} locked after repeated failed sign-ins.")]
    private static partial void LogAccountLocked(ILogger logger, Guid userId);
}

/// <summary>A correct password: the user, and whether a second factor must follow before any token is issued.</summary>
internal sealed record PasswordSignIn(AuthenticatedUser User, bool SecondFactorRequired);
