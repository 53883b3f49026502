using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TokenService.Accounts;
using TokenService.Api;
using TokenService.Audit;
using TokenService.Data;
using TokenService.IdentityApi;
using TokenService.Notifications;
using TokenService.Passwords;
using TokenService.RefreshTokens;

namespace TokenService.SelfService;

/// <summary>
/// A signed-in user changes their password with the current one. A wrong current password counts toward lockout
/// (a stolen access token must not allow guessing it); success ends every session of the user.
/// </summary>
public static class PasswordChangeEndpoints
{
    public const string Path = "/account/password";

    public sealed record PasswordChangeRequest(string CurrentPassword, string NewPassword);

    public static IEndpointRouteBuilder MapPasswordChange(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, ChangeAsync).RequireAuthorization().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem, ForbidHttpResult>> ChangeAsync(
        HttpRequest httpRequest, ClaimsPrincipal principal, TokenDbContext database, PasswordHashing hashing,
        PasswordPolicy policy, AccountLockout lockout, RefreshTokenService sessions, INotificationSender notifications, AuditLog audit,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (principal.UserId() is not { } userId)
        {
            return TypedResults.Forbid(); // a client's own token has no password
        }

        var (request, problem) = await JsonBody.ReadAsync<PasswordChangeRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var user = await database.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        if (user is null || user.IsDisabled)
        {
            return TypedResults.Forbid();
        }

        var now = time.GetUtcNow();
        var source = await lockout.ResolveSourceAsync(user, httpRequest.HttpContext.Connection.RemoteIpAddress, now, cancellationToken).ConfigureAwait(false);
        var verification = await hashing.VerifyAsync(user.PasswordHash, request!.CurrentPassword, cancellationToken).ConfigureAwait(false);
        if (verification == PasswordVerificationResult.Failed || AccountLockout.IsLocked(user, source, now))
        {
            await lockout.RecordFailureAsync(user, source, now, cancellationToken).ConfigureAwait(false);
            audit.Record(AuditEventTypes.PasswordChangeFailed, user.Id, detail: AccountLockout.IsLocked(user, source, now) ? "locked" : "wrong_password");
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return JsonBody.BadRequest("The current password is incorrect.");
        }

        var problems = policy.Check(request!.NewPassword, user.UserName);
        if (problems.Count > 0)
        {
            return JsonBody.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["newPassword"] = [.. problems] });
        }

        user.PasswordHash = await hashing.HashAsync(request.NewPassword, cancellationToken).ConfigureAwait(false);
        await PasswordReplaced(user, "password_change", database, sessions, notifications, audit, AuditEventTypes.PasswordChanged, cancellationToken)
            .ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Commits a new password hash already set on <paramref name="user"/>, with its audit entry and a notice to the
    /// user, ends all the user's sessions and forgets the addresses familiar to the lockout (they were earned with the
    /// old password), in one transaction. Shared by password change and admin reset.
    /// </summary>
    internal static async Task PasswordReplaced(
        User user, string reason, TokenDbContext database, RefreshTokenService sessions, INotificationSender notifications, AuditLog audit,
        string auditType, CancellationToken cancellationToken, Guid? actorId = null)
    {
        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await database.FamiliarSignInSources.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        audit.Record(auditType, user.Id, detail: actorId is { } actor ? $"by {actor}" : null);
        if (user.Email is { } email)
        {
            notifications.Send(NotificationKinds.PasswordChanged, email, user.Id, new Dictionary<string, string>(StringComparer.Ordinal));
        }

        await sessions.RevokeAllSessionsAsync(user.Id, reason, cancellationToken).ConfigureAwait(false); // saves the changes above too
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
