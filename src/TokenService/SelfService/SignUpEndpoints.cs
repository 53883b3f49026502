using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Accounts;
using TokenService.Api;
using TokenService.Audit;
using TokenService.Data;
using TokenService.Notifications;
using TokenService.Passwords;
using TokenService.RefreshTokens;

namespace TokenService.SelfService;

/// <summary>
/// Self-service sign-up with the e-mail address as user name. The answer is the same whether the address is new
/// or taken; what differs goes to the address's owner: a confirmation token for a new account (which cannot sign
/// in until confirmed, so signing in cannot tell the two apart either), a notice for an existing one. Both paths
/// hash the password, read once and write one outbox message.
/// </summary>
public static partial class SignUpEndpoints
{
    public const string Path = "/account/signup";

    public sealed record SignUpRequest(string Email, string Password);

    public sealed record ConfirmRequest(string Token);

    public sealed record SignUpAccepted(string Status);

    private static readonly SignUpAccepted Accepted = new("If the address can be used, a message has been sent to it.");

    public static IEndpointRouteBuilder MapSignUp(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<SignUpOptions>>().Value.Enabled)
        {
            return endpoints;
        }

        endpoints.MapPost(Path, SignUpAsync).AllowAnonymous().DisableAntiforgery();
        endpoints.MapPost($"{Path}/confirm", ConfirmAsync).AllowAnonymous().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<Results<Accepted<SignUpAccepted>, ProblemHttpResult, ValidationProblem>> SignUpAsync(
        HttpRequest httpRequest, TokenDbContext database, PasswordHashing hashing, PasswordPolicy policy,
        INotificationSender notifications, AuditLog audit, TimeProvider time, IOptions<SignUpOptions> options, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<SignUpRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var email = UserNameRules.CleanEmail(request!.Email, out var emailProblem);
        var passwordProblems = policy.Check(request.Password, email);
        if (email is null || passwordProblems.Count > 0)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (emailProblem is not null)
            {
                errors["email"] = [emailProblem];
            }

            if (passwordProblems.Count > 0)
            {
                errors["password"] = [.. passwordProblems];
            }

            return JsonBody.Invalid(errors);
        }

        var passwordHash = await hashing.HashAsync(request.Password, cancellationToken).ConfigureAwait(false);
        var normalized = UserNames.Normalize(email);
        var now = time.GetUtcNow();
        var existing = await database.Users
            .FirstOrDefaultAsync(u => u.NormalizedUserName == normalized || u.NormalizedEmail == normalized, cancellationToken).ConfigureAwait(false);
        if (existing is { ConfirmationTokenHash: not null } && existing.ConfirmationExpiresAt <= now)
        {
            database.Users.Remove(existing); // a lapsed, never-confirmed sign-up does not hold the address
            existing = null;
        }

        if (existing is not null)
        {
            NotifyExistingOwner(existing, notifications, audit);
        }
        else
        {
            var defaultRoles = await database.Roles.Where(r => r.IsDefault).ToListAsync(cancellationToken).ConfigureAwait(false);
            var (token, tokenHash) = RefreshTokenValues.Create();
            var user = new User
            {
                Id = Guid.NewGuid(),
                UserName = email,
                NormalizedUserName = normalized,
                Email = email,
                NormalizedEmail = normalized,
                PasswordHash = passwordHash,
                CreatedAt = now,
                ConfirmationTokenHash = tokenHash,
                ConfirmationExpiresAt = now + options.Value.ConfirmationLifetime,
            };
            defaultRoles.ForEach(user.Roles.Add);
            database.Users.Add(user);
            notifications.Send(NotificationKinds.ConfirmSignUp, email, user.Id, new Dictionary<string, string>(StringComparer.Ordinal) { ["token"] = token });
            audit.Record(AuditEventTypes.SignedUp, user.Id);
        }

        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // A parallel sign-up took the address between our read and write: answer as for a taken address.
            database.ChangeTracker.Clear();
            var owner = await database.Users.AsNoTracking()
                .FirstOrDefaultAsync(u => u.NormalizedUserName == normalized || u.NormalizedEmail == normalized, cancellationToken).ConfigureAwait(false);
            if (owner is not null)
            {
                NotifyExistingOwner(owner, notifications, audit);
                await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return TypedResults.Accepted((string?)null, Accepted);
    }

    private static void NotifyExistingOwner(User owner, INotificationSender notifications, AuditLog audit)
    {
        notifications.Send(NotificationKinds.SignUpAttemptForExistingAccount, owner.Email ?? owner.UserName, owner.Id, new Dictionary<string, string>(StringComparer.Ordinal));
        audit.Record(AuditEventTypes.SignUpForExistingAccount, owner.Id);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ConfirmAsync(
        HttpRequest httpRequest, TokenDbContext database, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<ConfirmRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var user = RefreshTokenValues.TryHash(request!.Token, out var hash)
            ? await database.Users.FirstOrDefaultAsync(u => u.ConfirmationTokenHash == hash && u.ConfirmationExpiresAt > now, cancellationToken).ConfigureAwait(false)
            : null;
        if (user is null)
        {
            return JsonBody.BadRequest("The confirmation token is invalid or has expired.");
        }

        user.ConfirmationTokenHash = null;
        user.ConfirmationExpiresAt = null;
        audit.Record(AuditEventTypes.SignUpConfirmed, user.Id);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
