using TokenService.Accounts;
using TokenService.Administration;
using TokenService.Clients;
using TokenService.IdentityApi;
using TokenService.Keys;
using TokenService.Passwords;

namespace TokenService.Seeding;

/// <summary>
/// The demo estate: two APIs (orders, inventory), their permissions, two roles (<c>user</c> is the default role of new
/// users and stays narrow; <c>admin</c> may administer everything), two users, three clients.
/// </summary>
internal static class DemoData
{
    public const string OrdersAudience = "orders-api";
    public const string InventoryAudience = "inventory-api";

    private static readonly string[] UserPermissions = ["orders:read", "orders:write", "inventory:read"];
    private static readonly string[] AdminPermissions = [.. UserPermissions, "orders:admin", "inventory:write", KeyAdministrationEndpoints.Permission,
        AdminUsersEndpoints.Permission, AuditQueryEndpoints.Permission, AdminRolesEndpoints.Permission, AdminClientsEndpoints.Permission];

    public static (IReadOnlyList<Role> Roles, IReadOnlyList<User> Users, IReadOnlyList<Client> Clients) Create(
        DemoSeedOptions seed, Argon2idPasswordHasher hasher, DateTimeOffset now)
    {
        var permissions = AdminPermissions.ToDictionary(name => name, name => new Permission { Id = Guid.NewGuid(), Name = name });
        var userRole = RoleWith("user", "Customers: their own orders, reading the inventory. Every new user gets it.", UserPermissions.Select(name => permissions[name]));
        userRole.IsDefault = true;
        var adminRole = RoleWith("admin", "Operators: all orders, stock, keys, users, roles, clients and the audit log.", AdminPermissions.Select(name => permissions[name]));

        var admin = UserWith("admin", hasher.Hash(seed.AdminPassword), now, adminRole, userRole);
        var alice = UserWith("alice", hasher.Hash(seed.UserPassword), now, userRole);

        Client[] clients =
        [
            new()
            {
                ClientId = "mobile-app", DisplayName = "Mobile app (public client)",
                AllowedGrantTypes = ["password", "refresh_token"], AllowedScopes = ["orders", "inventory"],
                AllowedAudiences = [OrdersAudience, InventoryAudience, IdentityApiAuthentication.Audience],
            },
            new()
            {
                ClientId = "orders-service", DisplayName = "Orders service (reserves stock)",
                SecretHash = ClientSecrets.Hash(seed.OrdersServiceSecret),
                AllowedGrantTypes = ["client_credentials"], AllowedScopes = ["inventory:reserve"],
                AllowedAudiences = [InventoryAudience],
            },
            new()
            {
                ClientId = "reporting-service", DisplayName = "Reporting job (reads order totals)",
                SecretHash = ClientSecrets.Hash(seed.ReportingServiceSecret),
                AllowedGrantTypes = ["client_credentials"], AllowedScopes = ["orders:report"],
                AllowedAudiences = [OrdersAudience],
            },
        ];
        return ([userRole, adminRole], [admin, alice], clients);
    }

    private static Role RoleWith(string name, string description, IEnumerable<Permission> permissions)
    {
        var role = new Role { Id = Guid.NewGuid(), Name = name, Description = description };
        foreach (var permission in permissions)
        {
            role.Permissions.Add(permission);
        }

        return role;
    }

    private static User UserWith(string userName, string passwordHash, DateTimeOffset now, params Role[] roles)
    {
        var user = new User
        {
            Id = Guid.NewGuid(),
            UserName = userName,
            NormalizedUserName = UserNames.Normalize(userName),
            PasswordHash = passwordHash,
            CreatedAt = now,
        };
        foreach (var role in roles)
        {
            user.Roles.Add(role);
        }

        return user;
    }
}
