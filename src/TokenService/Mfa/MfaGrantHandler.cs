using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Accounts;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Data;
using TokenService.RefreshTokens;
using TokenService.Tokens;
using TokenService.Tokens.Grants;

namespace TokenService.Mfa;

/// <summary>
/// The second step of an MFA sign-in (an extension grant, RFC 6749 §4.5): <c>mfa_token</c> from the
/// <c>mfa_required</c> answer plus either <c>otp</c> (a TOTP code) or <c>recovery_code</c>. Success answers
/// exactly as the password grant would for a user without MFA, with <c>amr</c> saying how the user signed in.
/// Any client allowed the password grant may use it; the token works only for the client it was issued to.
/// </summary>
/// <remarks>
/// In one transaction: one conditional UPDATE counts the attempt on a live challenge (so parallel attempts with
/// one token serialise on its row and a spent or dead token matches nothing), the code is accepted by its own
/// conditional UPDATE (<see cref="SecondFactor"/>), then the challenge is consumed and the session started. A
/// wrong code counts toward the account lockout. Every refusal is the same generic <c>invalid_grant</c>.
/// </remarks>
internal sealed partial class MfaGrantHandler(
    TokenDbContext database, SecondFactor secondFactor, AccountLockout lockout, UserTokens tokens, AuditLog audit,
    IHttpContextAccessor httpContextAccessor, TimeProvider time, IOptions<MfaOptions> options, ILogger<MfaGrantHandler> logger) : IGrantHandler
{
    public const string Name = "urn:api-auth-platform:grant-type:mfa";

    /// <summary>RFC 8176 methods after a TOTP code: password, one-time password, multiple factors.</summary>
    internal static readonly string[] TotpMethods = ["pwd", "otp", "mfa"];

    /// <summary>
    /// After a recovery code: password and multiple factors. Not <c>otp</c>, which RFC 8176 reserves for HOTP/TOTP,
    /// so an API that insists on the authenticator device can tell the difference.
    /// </summary>
    internal static readonly string[] RecoveryCodeMethods = ["pwd", "mfa"];

    private static readonly OAuthErrorResult InvalidGrant = new(OAuthErrors.InvalidGrant, "The MFA token or code is invalid or expired.");

    public string GrantType => Name;

    public string PermittedBy => PasswordGrantHandler.Name;

    public async Task<IResult> HandleAsync(TokenRequest request, Client client, CancellationToken cancellationToken)
    {
        var (mfaToken, otp, recoveryCode) = (request["mfa_token"], request["otp"], request["recovery_code"]);
        if (mfaToken is null || (otp is null) == (recoveryCode is null))
        {
            return TokenRequest.Invalid("mfa_token and exactly one of otp or recovery_code are required.");
        }

        if (request["scope"] is not null || request.Resources.Count > 0)
        {
            return TokenRequest.Invalid("scope and resource belong to the password request; the MFA step grants what it resolved.");
        }

        if (!RefreshTokenValues.TryHash(mfaToken, out var hash))
        {
            return InvalidGrant;
        }

        var now = time.GetUtcNow();
        var maxAttempts = options.Value.MaxCodeAttempts;
        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var live = await database.MfaChallenges
            .Where(c => c.TokenHash == hash && c.ClientId == client.ClientId && c.ConsumedAt == null && c.ExpiresAt > now && c.Attempts < maxAttempts)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.Attempts, c => c.Attempts + 1), cancellationToken).ConfigureAwait(false);
        if (live == 0)
        {
            LogUnusableToken(logger, client.ClientId);
            return InvalidGrant;
        }

        var challenge = await database.MfaChallenges.AsNoTracking().SingleAsync(c => c.TokenHash == hash, cancellationToken).ConfigureAwait(false);
        var user = await database.Users.WithRights().Include(u => u.Mfa)
            .SingleAsync(u => u.Id == challenge.UserId, cancellationToken).ConfigureAwait(false);
        var method = otp is not null ? "otp" : "recovery_code";
        var source = await lockout.ResolveSourceAsync(user, httpContextAccessor.HttpContext?.Connection.RemoteIpAddress, now, cancellationToken)
            .ConfigureAwait(false);
        var reason = user.IsDisabled ? "disabled"
            : AccountLockout.IsLocked(user, source, now) ? "locked"
            : !user.HasMfa ? "mfa_off"
            : otp is not null
                ? await secondFactor.TryUseCodeAsync(user.Mfa!, otp, now, cancellationToken).ConfigureAwait(false) ? null : "wrong_otp"
                : await secondFactor.TryUseRecoveryCodeAsync(user.Id, recoveryCode!, now, cancellationToken).ConfigureAwait(false) ? null : "wrong_recovery_code";
        if (reason is null && !await lockout.TryResetAsync(user.Id, source, now, cancellationToken).ConfigureAwait(false))
        {
            reason = "locked"; // a parallel failure locked the account meanwhile
        }

        if (reason is not null)
        {
            var lockedNow = await lockout.RecordFailureAsync(user, source, now, cancellationToken).ConfigureAwait(false);
            LogMfaFailed(logger, client.ClientId, reason, user.Id);
            audit.Record(AuditEventTypes.MfaLoginFailed, user.Id, client.ClientId, detail: reason);
            if (lockedNow)
            {
                audit.Record(AuditEventTypes.AccountLocked, user.Id, client.ClientId);
            }

            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return InvalidGrant;
        }

        await database.MfaChallenges.Where(c => c.Id == challenge.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.ConsumedAt, now), cancellationToken).ConfigureAwait(false);
        LogMfaSucceeded(logger, client.ClientId, method, user.Id);
        audit.Record(AuditEventTypes.MfaLoginSucceeded, user.Id, client.ClientId, detail: method);
        if (recoveryCode is not null)
        {
            var left = await secondFactor.UnusedRecoveryCodesAsync(user.Id, cancellationToken).ConfigureAwait(false);
            audit.Record(AuditEventTypes.MfaRecoveryCodeUsed, user.Id, client.ClientId, detail: $"{left} left");
        }

        var access = new RequestedAccess(challenge.Scopes, challenge.Audiences);
        var result = await tokens.IssueAsync(AuthenticatedUser.From(user), client, access, otp is not null ? TotpMethods : RecoveryCodeMethods, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "MFA sign-in refused for client {ClientId}: unknown, expired, spent or exhausted mfa_token.")]
    private static partial void LogUnusableToken(ILogger logger, string clientId);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "MFA sign-in failed for client {ClientId}: {Reason} (user {UserId}).")]
    private static partial void LogMfaFailed(ILogger logger, string clientId, string reason, Guid userId);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "MFA sign-in succeeded for client {ClientId} with {Method}, user {UserId}.")]
    private static partial void LogMfaSucceeded(ILogger logger, string clientId, string method, Guid userId);
}
