namespace TokenService.Administration;

public static class AdministrationExtensions
{
    /// <summary>The operators' API under <c>/admin</c>: users, roles, permissions, clients and the audit log.</summary>
    public static IEndpointRouteBuilder MapAdministration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdminUsers();
        endpoints.MapAdminRoles();
        endpoints.MapAdminPermissions();
        endpoints.MapAdminClients();
        endpoints.MapAuditQuery();
        return endpoints;
    }
}
