using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Authorization;
using TokenService.Administration;
using TokenService.Audit;
using TokenService.Data;
using TokenService.IdentityApi;

namespace TokenService.Mfa;

/// <summary>
/// An operator (permission <c>users:manage</c>) removes a user's MFA, e.g. after a lost phone and lost recovery
/// codes: the user signs in with the password alone and may enroll again. Audited with the acting user.
/// </summary>
public static class MfaAdminEndpoints
{
    public static IEndpointRouteBuilder MapMfaAdministration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapDelete("/admin/users/{id:guid}/mfa", ResetAsync)
            .RequireAuthorization(policy => policy.RequirePermissions(AdminUsersEndpoints.Permission));
        return endpoints;
    }

    /// <summary>204 whether or not the user had MFA (idempotent); 404 for an unknown user.</summary>
    private static async Task<Results<NoContent, NotFound>> ResetAsync(
        Guid id, ClaimsPrincipal actor, TokenDbContext database, SecondFactor secondFactor, AuditLog audit, CancellationToken cancellationToken)
    {
        if (!await database.Users.AnyAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.NotFound();
        }

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await secondFactor.RemoveAsync(id, cancellationToken).ConfigureAwait(false))
        {
            audit.Record(AuditEventTypes.MfaReset, id, detail: $"by {actor.UserId()}");
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
