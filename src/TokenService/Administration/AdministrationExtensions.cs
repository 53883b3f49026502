namespace TokenService.Administration;

public static class AdministrationExtensions
{
    /// <summary>The operators' API under <c>/admin</c>: users and the audit log.</summary>
    public static IEndpointRouteBuilder MapAdministration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdminUsers();
        endpoints.MapAuditQuery();
        return endpoints;
    }
}
