using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Accounts;
using TokenService.Api;
using TokenService.Audit;
using TokenService.Data;
using TokenService.IdentityApi;
using TokenService.Passwords;
using TokenService.Tokens;

namespace TokenService.Mfa;

/// <summary>
/// The signed-in user's own MFA under <c>/account/mfa</c> (identity-api audience): status, enrollment (pending
/// until the first code confirms it; confirming returns the recovery codes, once), new recovery codes (needs a
/// current code) and disabling (needs a current code or the password). A wrong code or password here counts
/// toward the account lockout, so a stolen access token cannot be used to guess them.
/// </summary>
public static class MfaAccountEndpoints
{
    public const string Path = "/account/mfa";

    public sealed record MfaStatus(bool Enabled, bool Pending, DateTimeOffset? EnabledAt, int RecoveryCodesLeft);

    public sealed record Enrollment(string Secret, string OtpauthUri, string Algorithm, int Digits, int Period);

    public sealed record CodeRequest(string Code);

    public sealed record DisableRequest(string? Code = null, string? Password = null);

    public sealed record RecoveryCodeSet(IReadOnlyList<string> RecoveryCodes);

    public static IEndpointRouteBuilder MapMfaAccount(this IEndpointRouteBuilder endpoints)
    {
        var mfa = endpoints.MapGroup(Path).RequireAuthorization().DisableAntiforgery()
            .AddEndpointFilter(async (context, next) =>
            {
                OAuthHeaders.ApplyNoStore(context.HttpContext.Response); // secrets and recovery codes must not be cached
                return await next(context).ConfigureAwait(false);
            });
        mfa.MapGet("/", StatusAsync);
        mfa.MapPost("/enrollment", EnrollAsync);
        mfa.MapPost("/enrollment/confirm", ConfirmAsync);
        mfa.MapPost("/recovery-codes", RegenerateRecoveryCodesAsync);
        mfa.MapPost("/disable", DisableAsync);
        return endpoints;
    }

    private static async Task<Results<Ok<MfaStatus>, ForbidHttpResult>> StatusAsync(
        ClaimsPrincipal principal, TokenDbContext database, SecondFactor secondFactor, CancellationToken cancellationToken)
    {
        if (await CallerAsync(principal, database, cancellationToken).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.Forbid();
        }

        var left = user.HasMfa ? await secondFactor.UnusedRecoveryCodesAsync(user.Id, cancellationToken).ConfigureAwait(false) : 0;
        return TypedResults.Ok(new MfaStatus(user.HasMfa, user.Mfa is { EnabledAt: null }, user.Mfa?.EnabledAt, left));
    }

    /// <summary>Starts (or restarts) an enrollment with a new secret; refused while MFA is on (disable it first).</summary>
    private static async Task<Results<Ok<Enrollment>, ProblemHttpResult, ForbidHttpResult>> EnrollAsync(
        ClaimsPrincipal principal, TokenDbContext database, SecondFactor secondFactor, AuditLog audit, TimeProvider time,
        IOptions<MfaOptions> options, IOptions<TokenOptions> tokenOptions, CancellationToken cancellationToken)
    {
        if (await CallerAsync(principal, database, cancellationToken).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.Forbid();
        }

        if (user.HasMfa)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "MFA is already on; disable it before enrolling again.");
        }

        var secret = TotpCodes.NewSecret();
        var now = time.GetUtcNow();
        if (user.Mfa is { } pending)
        {
            pending.SealedSecret = secondFactor.Seal(user.Id, secret);
            pending.CreatedAt = now;
            pending.LastUsedStep = 0;
        }
        else
        {
            database.UserMfa.Add(new UserMfa { UserId = user.Id, SealedSecret = secondFactor.Seal(user.Id, secret), CreatedAt = now });
        }

        audit.Record(AuditEventTypes.MfaEnrollmentStarted, user.Id);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var issuer = options.Value.IssuerName ?? new Uri(tokenOptions.Value.Issuer).Host;
        return TypedResults.Ok(new Enrollment(
            TotpCodes.Encode(secret), TotpCodes.KeyUri(issuer, user.UserName, secret), TotpCodes.Algorithm, TotpCodes.Digits, TotpCodes.StepSeconds));
    }

    /// <summary>The first code turns MFA on and returns the recovery codes, this once.</summary>
    private static async Task<Results<Ok<RecoveryCodeSet>, ProblemHttpResult, ForbidHttpResult>> ConfirmAsync(
        HttpRequest httpRequest, ClaimsPrincipal principal, TokenDbContext database, SecondFactor secondFactor, AuditLog audit,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CodeRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (await CallerAsync(principal, database, cancellationToken).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.Forbid();
        }

        if (user.Mfa is not { EnabledAt: null } pending)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "There is no pending MFA enrollment to confirm.");
        }

        var now = time.GetUtcNow();
        if (TotpCodes.MatchStep(secondFactor.Open(pending), request!.Code, now) is not { } step)
        {
            audit.Record(AuditEventTypes.MfaVerificationFailed, user.Id, detail: "confirm");
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return JsonBody.BadRequest("The code is not correct. Check the authenticator app's clock and try the current code.");
        }

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Conditional on the very secret the code was checked against: a concurrent re-enrollment or confirmation wins or loses whole.
        var sealedSecret = pending.SealedSecret;
        var enabled = await database.UserMfa.Where(m => m.UserId == user.Id && m.EnabledAt == null && m.SealedSecret == sealedSecret)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.EnabledAt, now).SetProperty(m => m.LastUsedStep, step), cancellationToken).ConfigureAwait(false);
        if (enabled == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The enrollment changed meanwhile; start it again.");
        }

        var codes = await secondFactor.ReplaceRecoveryCodesAsync(user.Id, now, cancellationToken).ConfigureAwait(false);
        audit.Record(AuditEventTypes.MfaEnabled, user.Id);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RecoveryCodeSet(codes));
    }

    private static async Task<Results<Ok<RecoveryCodeSet>, ProblemHttpResult, ForbidHttpResult>> RegenerateRecoveryCodesAsync(
        HttpRequest httpRequest, ClaimsPrincipal principal, TokenDbContext database, SecondFactor secondFactor, AccountLockout lockout,
        AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, user, problem) = await ReadForEnabledMfaAsync<CodeRequest>(httpRequest, principal, database, cancellationToken).ConfigureAwait(false);
        if (problem is not null || user is null)
        {
            return problem is null ? TypedResults.Forbid() : problem;
        }

        var now = time.GetUtcNow();
        var source = await lockout.ResolveSourceAsync(user, httpRequest.HttpContext.Connection.RemoteIpAddress, now, cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var verified = !AccountLockout.IsLocked(user, source, now) && await secondFactor.TryUseCodeAsync(user.Mfa!, request!.Code, now, cancellationToken).ConfigureAwait(false);
        if (!verified)
        {
            return await RefuseAsync(user, source, "recovery_codes", "The code is not correct.", database, lockout, audit, transaction, now, cancellationToken).ConfigureAwait(false);
        }

        var codes = await secondFactor.ReplaceRecoveryCodesAsync(user.Id, now, cancellationToken).ConfigureAwait(false);
        audit.Record(AuditEventTypes.MfaRecoveryCodesRegenerated, user.Id);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RecoveryCodeSet(codes));
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ForbidHttpResult>> DisableAsync(
        HttpRequest httpRequest, ClaimsPrincipal principal, TokenDbContext database, SecondFactor secondFactor, PasswordHashing hashing,
        AccountLockout lockout, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, user, problem) = await ReadForEnabledMfaAsync<DisableRequest>(httpRequest, principal, database, cancellationToken).ConfigureAwait(false);
        if (problem is not null || user is null)
        {
            return problem is null ? TypedResults.Forbid() : problem;
        }

        if ((request!.Code is null) == (request.Password is null))
        {
            return JsonBody.BadRequest("Send exactly one of code (a current authenticator code) or password.");
        }

        var now = time.GetUtcNow();
        var source = await lockout.ResolveSourceAsync(user, httpRequest.HttpContext.Connection.RemoteIpAddress, now, cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var verified = request.Code is not null
            ? await secondFactor.TryUseCodeAsync(user.Mfa!, request.Code, now, cancellationToken).ConfigureAwait(false)
            : await hashing.VerifyAsync(user.PasswordHash, request.Password!, cancellationToken).ConfigureAwait(false) != PasswordVerificationResult.Failed;
        if (!verified || AccountLockout.IsLocked(user, source, now))
        {
            return await RefuseAsync(user, source, "disable", "The code or password is not correct.", database, lockout, audit, transaction, now, cancellationToken)
                .ConfigureAwait(false);
        }

        await secondFactor.RemoveAsync(user.Id, cancellationToken).ConfigureAwait(false);
        audit.Record(AuditEventTypes.MfaDisabled, user.Id, detail: request.Code is not null ? "with code" : "with password");
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>A wrong code or password on the account API: counted toward lockout and audited, answered 400.</summary>
    private static async Task<ProblemHttpResult> RefuseAsync(
        User user, SignInSource source, string action, string title, TokenDbContext database, AccountLockout lockout, AuditLog audit,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var lockedNow = await lockout.RecordFailureAsync(user, source, now, cancellationToken).ConfigureAwait(false);
        audit.Record(AuditEventTypes.MfaVerificationFailed, user.Id, detail: AccountLockout.IsLocked(user, source, now) ? $"{action}: locked" : action);
        if (lockedNow)
        {
            audit.Record(AuditEventTypes.AccountLocked, user.Id);
        }

        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return JsonBody.BadRequest(title);
    }

    /// <summary>
    /// The body of a request that needs MFA on, and the caller; or the problem that refuses it (400, 409). No user
    /// and no problem: the token is not a user's (answer 403).
    /// </summary>
    private static async Task<(T? Request, User? User, ProblemHttpResult? Problem)> ReadForEnabledMfaAsync<T>(
        HttpRequest httpRequest, ClaimsPrincipal principal, TokenDbContext database, CancellationToken cancellationToken)
        where T : class
    {
        var (request, problem) = await JsonBody.ReadAsync<T>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        var user = await CallerAsync(principal, database, cancellationToken).ConfigureAwait(false);
        return user is { HasMfa: false }
            ? (null, null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "MFA is not on."))
            : (request, user, null);
    }

    /// <summary>The user behind the caller's token, with their MFA state; null for a client's own token or a disabled user.</summary>
    private static async Task<User?> CallerAsync(ClaimsPrincipal principal, TokenDbContext database, CancellationToken cancellationToken) =>
        principal.UserId() is { } userId
            ? await database.Users.Include(u => u.Mfa).FirstOrDefaultAsync(u => u.Id == userId && !u.IsDisabled, cancellationToken).ConfigureAwait(false)
            : null;
}
