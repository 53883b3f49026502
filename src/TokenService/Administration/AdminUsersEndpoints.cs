using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Authorization;
using TokenService.Accounts;
using TokenService.Api;
using TokenService.Audit;
using TokenService.Data;
using TokenService.IdentityApi;
using TokenService.Notifications;
using TokenService.Passwords;
using TokenService.RefreshTokens;
using TokenService.SelfService;

namespace TokenService.Administration;

/// <summary>
/// Operators manage users (permission <c>users:manage</c> in the caller's token): create, look up, disable (ends
/// every session), enable, reset the password (ends every session), assign and remove roles. Every change is
/// audited with the acting user.
/// </summary>
public static class AdminUsersEndpoints
{
    public const string Permission = "users:manage";

    /// <summary>A new user; without <paramref name="Roles"/> the user gets the default roles (<c>[]</c> means none).</summary>
    public sealed record CreateUserRequest(string UserName, string Password, string? Email = null, string[]? Roles = null);

    public sealed record ResetPasswordRequest(string Password);

    public sealed record UserView(Guid Id, string UserName, string? Email, bool Disabled, DateTimeOffset? LockedUntil, bool Confirmed, string[] Roles);

    public static IEndpointRouteBuilder MapAdminUsers(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapGroup("/admin/users").RequireAuthorization(policy => policy.RequirePermissions(Permission)).DisableAntiforgery();
        users.MapPost("/", CreateAsync);
        users.MapGet("/{id:guid}", GetAsync);
        users.MapPost("/{id:guid}/disable", DisableAsync);
        users.MapPost("/{id:guid}/enable", EnableAsync);
        users.MapPost("/{id:guid}/password", ResetPasswordAsync);
        users.MapPut("/{id:guid}/roles/{role}", AssignRoleAsync);
        users.MapDelete("/{id:guid}/roles/{role}", RemoveRoleAsync);
        return endpoints;
    }

    private static async Task<Results<Created<UserView>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, PasswordHashing hashing,
        PasswordPolicy policy, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateUserRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var userName = UserNameRules.Clean(request!.UserName, out var nameProblem);
        var email = request.Email is null ? null : UserNameRules.CleanEmail(request.Email, out var emailProblem) ?? Fail("email", emailProblem!);
        var passwordProblems = policy.Check(request.Password, userName);
        if (nameProblem is not null)
        {
            errors["userName"] = [nameProblem];
        }

        if (passwordProblems.Count > 0)
        {
            errors["password"] = [.. passwordProblems];
        }

        var roleNames = request.Roles?.Distinct(StringComparer.Ordinal).ToArray();
        var roles = await (roleNames is null ? database.Roles.Where(r => r.IsDefault) : database.Roles.Where(r => roleNames.Contains(r.Name)))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (roleNames is not null && roles.Count != roleNames.Length)
        {
            errors["roles"] = ["A role does not exist."];
        }

        if (errors.Count > 0)
        {
            return JsonBody.Invalid(errors);
        }

        var normalized = UserNames.Normalize(userName!);
        var normalizedEmail = email is null ? null : UserNames.Normalize(email);
        if (await database.Users.AnyAsync(u => u.NormalizedUserName == normalized || (normalizedEmail != null && u.NormalizedEmail == normalizedEmail), cancellationToken)
            .ConfigureAwait(false))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The user name or e-mail address is already in use.");
        }

        var user = new User
        {
            Id = Guid.NewGuid(),
            UserName = userName!,
            NormalizedUserName = normalized,
            Email = email,
            NormalizedEmail = normalizedEmail,
            PasswordHash = await hashing.HashAsync(request.Password, cancellationToken).ConfigureAwait(false),
            CreatedAt = time.GetUtcNow(),
        };
        roles.ForEach(user.Roles.Add);
        database.Users.Add(user);
        audit.Record(AuditEventTypes.UserCreated, user.Id, detail: AdminNames.By(actor));
        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The user name or e-mail address is already in use.");
        }

        return TypedResults.Created($"/admin/users/{user.Id}", View(user));

        string? Fail(string field, string message)
        {
            errors[field] = [message];
            return null;
        }
    }

    private static async Task<Results<Ok<UserView>, NotFound>> GetAsync(Guid id, TokenDbContext database, CancellationToken cancellationToken) =>
        await database.Users.AsNoTracking().Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false) is { } user
            ? TypedResults.Ok(View(user))
            : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> DisableAsync(
        Guid id, ClaimsPrincipal actor, TokenDbContext database, RefreshTokenService sessions, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await database.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        user.IsDisabled = true;
        audit.Record(AuditEventTypes.UserDisabled, user.Id, detail: AdminNames.By(actor));
        await sessions.RevokeAllSessionsAsync(user.Id, "user_disabled", cancellationToken).ConfigureAwait(false); // saves the change above too
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> EnableAsync(
        Guid id, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await database.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        user.IsDisabled = false;
        audit.Record(AuditEventTypes.UserEnabled, user.Id, detail: AdminNames.By(actor));
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult, ValidationProblem>> ResetPasswordAsync(
        Guid id, HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, PasswordHashing hashing,
        PasswordPolicy policy, RefreshTokenService sessions, INotificationSender notifications, AuditLog audit, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<ResetPasswordRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var user = await database.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        var problems = policy.Check(request!.Password, user.UserName);
        if (problems.Count > 0)
        {
            return JsonBody.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["password"] = [.. problems] });
        }

        user.PasswordHash = await hashing.HashAsync(request.Password, cancellationToken).ConfigureAwait(false);
        user.FailedLoginCount = 0;
        user.LockoutEndsAt = null;
        await PasswordChangeEndpoints.PasswordReplaced(user, "password_reset", database, sessions, notifications, audit, AuditEventTypes.PasswordReset,
            cancellationToken, actor.UserId()).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static Task<Results<NoContent, NotFound>> AssignRoleAsync(
        Guid id, string role, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken) =>
        ChangeRoleAsync(id, role, assign: true, actor, database, audit, cancellationToken);

    private static Task<Results<NoContent, NotFound>> RemoveRoleAsync(
        Guid id, string role, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken) =>
        ChangeRoleAsync(id, role, assign: false, actor, database, audit, cancellationToken);

    /// <summary>Idempotent; the user's next access token (at the next refresh) carries the change.</summary>
    private static async Task<Results<NoContent, NotFound>> ChangeRoleAsync(
        Guid id, string roleName, bool assign, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await database.Users.Include(u => u.Roles).FirstOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        var role = await database.Roles.FirstOrDefaultAsync(r => r.Name == roleName, cancellationToken).ConfigureAwait(false);
        if (user is null || role is null)
        {
            return TypedResults.NotFound();
        }

        var changed = AdminNames.SetMember(user.Roles, role, assign);
        if (changed)
        {
            audit.Record(assign ? AuditEventTypes.RoleAssigned : AuditEventTypes.RoleRemoved, user.Id, detail: $"{role.Name} {AdminNames.By(actor)}");
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return TypedResults.NoContent();
    }

    private static UserView View(User user) => new(
        user.Id, user.UserName, user.Email, user.IsDisabled, user.LockoutEndsAt, user.ConfirmationTokenHash is null,
        [.. user.Roles.Select(r => r.Name).Order(StringComparer.Ordinal)]);

}
