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
/// Operators manage roles (permission <c>roles:manage</c> in the caller's token): list, look up, create, rename and
/// describe, mark as default for new users, delete, and grant or revoke permissions. A change reaches every holder's
/// next access token (at their next refresh or sign-in), because tokens are built from the store each time.
/// A role still assigned to users cannot be deleted (409): remove it from them first, so nobody loses rights
/// without an audited change naming them. Holding <c>roles:manage</c> means being able to grant any permission to
/// any role, so it belongs only to the most trusted operators.
/// </summary>
public static class AdminRolesEndpoints
{
    public const string Permission = "roles:manage";

    private const int MaximumDescriptionLength = 256;

    /// <summary>A new role; <paramref name="Permissions"/> must exist already.</summary>
    public sealed record CreateRoleRequest(string Name, string? Description = null, bool IsDefault = false, string[]? Permissions = null);

    /// <summary>Replaces a role's name, description and default flag (all three required: PUT replaces).</summary>
    public sealed record UpdateRoleRequest(string Name, string? Description, bool IsDefault);

    public sealed record RoleView(string Name, string? Description, bool IsDefault, string[] Permissions, int Users);

    public static IEndpointRouteBuilder MapAdminRoles(this IEndpointRouteBuilder endpoints)
    {
        var roles = endpoints.MapGroup("/admin/roles").RequireAuthorization(policy => policy.RequirePermissions(Permission)).DisableAntiforgery();
        roles.MapGet("/", ListAsync);
        roles.MapGet("/{name}", GetAsync);
        roles.MapPost("/", CreateAsync);
        roles.MapPut("/{name}", UpdateAsync);
        roles.MapDelete("/{name}", DeleteAsync);
        roles.MapPut("/{name}/permissions/{permission}", GrantAsync);
        roles.MapDelete("/{name}/permissions/{permission}", RevokeAsync);
        return endpoints;
    }

    private static async Task<Ok<RoleView[]>> ListAsync(TokenDbContext database, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ViewsAsync(database.Roles, cancellationToken).ConfigureAwait(false));

    private static async Task<Results<Ok<RoleView>, NotFound>> GetAsync(string name, TokenDbContext database, CancellationToken cancellationToken) =>
        (await ViewsAsync(database.Roles.Where(r => r.Name == name), cancellationToken).ConfigureAwait(false)) is [var role]
            ? TypedResults.Ok(role)
            : TypedResults.NotFound();

    private static async Task<Results<Created<RoleView>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateRoleRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var description = CheckNameAndDescription(request!.Name, request.Description, errors);
        var permissionNames = (request.Permissions ?? []).Distinct(StringComparer.Ordinal).ToArray();
        var permissions = await database.Permissions.Where(p => permissionNames.Contains(p.Name)).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (permissions.Count != permissionNames.Length)
        {
            errors["permissions"] = ["A permission does not exist."];
        }

        if (errors.Count > 0)
        {
            return JsonBody.Invalid(errors);
        }

        if (await database.Roles.AnyAsync(r => r.Name == request.Name, cancellationToken).ConfigureAwait(false))
        {
            return NameTaken();
        }

        var role = new Role { Id = Guid.NewGuid(), Name = request.Name, Description = description, IsDefault = request.IsDefault };
        permissions.ForEach(role.Permissions.Add);
        database.Roles.Add(role);
        audit.RecordChange(AuditEventTypes.RoleCreated, actor,
            $"role {role.Name}{(role.IsDefault ? " (default)" : "")} permissions [{string.Join(' ', permissionNames.Order(StringComparer.Ordinal))}]");
        if (!await TrySaveAsync(database, cancellationToken).ConfigureAwait(false))
        {
            return NameTaken();
        }

        return TypedResults.Created($"/admin/roles/{role.Name}", View(role, users: 0));
    }

    /// <summary>Renaming changes the <c>roles</c> claim of every holder's next token; permissions are unchanged.</summary>
    private static async Task<Results<Ok<RoleView>, NotFound, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        string name, HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<UpdateRoleRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var description = CheckNameAndDescription(request!.Name, request.Description, errors);
        if (errors.Count > 0)
        {
            return JsonBody.Invalid(errors);
        }

        var role = await database.Roles.Include(r => r.Permissions).FirstOrDefaultAsync(r => r.Name == name, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return TypedResults.NotFound();
        }

        if (request.Name != role.Name && await database.Roles.AnyAsync(r => r.Name == request.Name, cancellationToken).ConfigureAwait(false))
        {
            return NameTaken();
        }

        var renamed = request.Name == role.Name ? "" : $" renamed from {role.Name}";
        (role.Name, role.Description, role.IsDefault) = (request.Name, description, request.IsDefault);
        audit.RecordChange(AuditEventTypes.RoleUpdated, actor, $"role {role.Name}{renamed}{(role.IsDefault ? " (default)" : "")}");
        if (!await TrySaveAsync(database, cancellationToken).ConfigureAwait(false))
        {
            return NameTaken();
        }

        var users = await database.Roles.Where(r => r.Id == role.Id).Select(r => r.Users.Count).SingleAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(View(role, users));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        string name, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var role = await database.Roles.Include(r => r.Permissions).FirstOrDefaultAsync(r => r.Name == name, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return TypedResults.NotFound();
        }

        var holders = await database.Users.CountAsync(u => u.Roles.Any(r => r.Id == role.Id), cancellationToken).ConfigureAwait(false);
        if (holders > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "The role is still assigned to users.", detail: $"Remove the role from its {holders} users first.");
        }

        database.Roles.Remove(role);
        audit.RecordChange(AuditEventTypes.RoleDeleted, actor, $"role {role.Name}");
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static Task<Results<NoContent, NotFound>> GrantAsync(
        string name, string permission, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken) =>
        ChangePermissionAsync(name, permission, grant: true, actor, database, audit, cancellationToken);

    private static Task<Results<NoContent, NotFound>> RevokeAsync(
        string name, string permission, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken) =>
        ChangePermissionAsync(name, permission, grant: false, actor, database, audit, cancellationToken);

    /// <summary>Idempotent; every holder's next access token (at the next refresh or sign-in) carries the change.</summary>
    private static async Task<Results<NoContent, NotFound>> ChangePermissionAsync(
        string roleName, string permissionName, bool grant, ClaimsPrincipal actor, TokenDbContext database, AuditLog audit, CancellationToken cancellationToken)
    {
        var role = await database.Roles.Include(r => r.Permissions).FirstOrDefaultAsync(r => r.Name == roleName, cancellationToken).ConfigureAwait(false);
        var permission = await database.Permissions.FirstOrDefaultAsync(p => p.Name == permissionName, cancellationToken).ConfigureAwait(false);
        if (role is null || permission is null)
        {
            return TypedResults.NotFound();
        }

        if (AdminNames.SetMember(role.Permissions, permission, grant))
        {
            audit.RecordChange(grant ? AuditEventTypes.PermissionGranted : AuditEventTypes.PermissionRevoked, actor, $"role {role.Name} permission {permission.Name}");
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return TypedResults.NoContent();
    }

    /// <summary>Checks a requested role name and description into <paramref name="errors"/>; returns the description to store.</summary>
    private static string? CheckNameAndDescription(string name, string? description, Dictionary<string, string[]> errors)
    {
        if (!AdminNames.IsRoleName(name))
        {
            errors["name"] = [AdminNames.RoleNameRule];
        }

        if (description is null)
        {
            return null;
        }

        var clean = UserNameRules.CleanText(description, MaximumDescriptionLength, out var problem);
        if (problem is not null)
        {
            errors["description"] = [problem];
        }

        return clean;
    }

    private static async Task<bool> TrySaveAsync(TokenDbContext database, CancellationToken cancellationToken)
    {
        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // a concurrent request took the name between our check and our write
        }
    }

    private static ProblemHttpResult NameTaken() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A role with this name already exists.");

    private static async Task<RoleView[]> ViewsAsync(IQueryable<Role> roles, CancellationToken cancellationToken)
    {
        var rows = await roles.AsNoTracking()
            .Select(r => new { Role = r, Permissions = r.Permissions.Select(p => p.Name).ToList(), Users = r.Users.Count })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows
            .Select(row => new RoleView(row.Role.Name, row.Role.Description, row.Role.IsDefault, [.. row.Permissions.Order(StringComparer.Ordinal)], row.Users))
            .OrderBy(view => view.Name, StringComparer.Ordinal)];
    }

    private static RoleView View(Role role, int users) => new(
        role.Name, role.Description, role.IsDefault, [.. role.Permissions.Select(p => p.Name).Order(StringComparer.Ordinal)], users);
}
