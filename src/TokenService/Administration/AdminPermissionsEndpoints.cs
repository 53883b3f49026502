using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Authorization;
using TokenService.Accounts;
using TokenService.Api;
using TokenService.Audit;
using TokenService.Data;

namespace TokenService.Administration;

/// <summary>
/// Operators manage the catalogue of permissions (permission <c>roles:manage</c>): list with the roles granting
/// each, create (<c>resource:action</c>, see <see cref="AdminNames.PermissionNameRule"/>), and delete one that no
/// role grants any more (409 otherwise: revoke it from the roles first).
/// </summary>
public static class AdminPermissionsEndpoints
{
    public sealed record CreatePermissionRequest(string Name);

    public sealed record PermissionView(string Name, string[] Roles);

    public static IEndpointRouteBuilder MapAdminPermissions(this IEndpointRouteBuilder endpoints)
    {
        var permissions = endpoints.MapGroup("/admin/permissions")
            .RequireAuthorization(policy => policy.RequirePermissions(AdminRolesEndpoints.Permission)).DisableAntiforgery();
        permissions.MapGet("/", ListAsync);
        permissions.MapPost("/", CreateAsync);
        permissions.MapDelete("/{name}", DeleteAsync);
        return endpoints;
    }

    private static async Task<Ok<PermissionView[]>> ListAsync(TokenDbContext database, CancellationToken cancellationToken)
    {
        var rows = await database.Permissions.AsNoTracking()
            .Select(p => new { p.Name, Roles = p.Roles.Select(r => r.Name).ToList() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(rows
            .Select(row => new PermissionView(row.Name, [.. row.Roles.Order(StringComparer.Ordinal)]))
            .OrderBy(view => view.Name, StringComparer.Ordinal).ToArray());
    }

    private static async Task<Results<Created<PermissionView>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreatePermissionRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (!AdminNames.IsPermissionName(request!.Name))
        {
            return JsonBody.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["name"] = [AdminNames.PermissionNameRule] });
        }

        var taken = TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A permission with this name already exists.");
        if (await database.Permissions.AnyAsync(p => p.Name == request.Name, cancellationToken).ConfigureAwait(false))
        {
            return taken;
        }

        database.Permissions.Add(new Permission { Id = Guid.NewGuid(), Name = request.Name });
        audit.RecordChange(AuditEventTypes.PermissionCreated, actor, $"permission {request.Name}");
        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            return taken; // a concurrent request created it between our check and our write
        }

        return TypedResults.Created($"/admin/permissions/{request.Name}", new PermissionView(request.Name, []));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        string name, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var permission = await database.Permissions.Include(p => p.Roles).FirstOrDefaultAsync(p => p.Name == name, cancellationToken).ConfigureAwait(false);
        if (permission is null)
        {
            return TypedResults.NotFound();
        }

        if (permission.Roles.Count > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The permission is still granted to roles.",
                detail: $"Revoke it from {string.Join(", ", permission.Roles.Select(r => r.Name).Order(StringComparer.Ordinal))} first.");
        }

        database.Permissions.Remove(permission);
        audit.RecordChange(AuditEventTypes.PermissionDeleted, actor, $"permission {name}");
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
