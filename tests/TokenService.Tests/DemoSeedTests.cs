using Microsoft.EntityFrameworkCore;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

[TestFixture(DatabaseProvider.Postgres)]
public sealed class DemoSeedTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    [Test]
    public async Task A_store_seeded_by_an_older_version_gets_the_current_demo_clients_and_permissions()
    {
        await ChangeStoreAsync(async (database, _) =>
        {
            var app = await database.Clients.SingleAsync(c => c.ClientId == "mobile-app");
            app.AllowedGrantTypes = ["password"];
            app.AllowedAudiences = ["orders-api"];
            var admin = await database.Roles.Include(r => r.Permissions).SingleAsync(r => r.Name == "admin");
            admin.Permissions.Remove(admin.Permissions.Single(p => p.Name == "keys:manage"));
            await database.Roles.ForEachAsync(r => r.IsDefault = false); // a store from before default roles
        });

        await using var restarted = CreateInstance();
        using var client = restarted.CreateClient();

        var (grants, audiences, adminPermissions, defaultRoles) = (new List<string>(), new List<string>(), new List<string>(), new List<string>());
        await ChangeStoreAsync(async (database, _) =>
        {
            var app = await database.Clients.AsNoTracking().SingleAsync(c => c.ClientId == "mobile-app");
            (grants, audiences) = (app.AllowedGrantTypes, app.AllowedAudiences);
            adminPermissions = await database.Roles.Where(r => r.Name == "admin").SelectMany(r => r.Permissions).Select(p => p.Name).ToListAsync();
            defaultRoles = await database.Roles.Where(r => r.IsDefault).Select(r => r.Name).ToListAsync();
        });
        Assert.Multiple(() =>
        {
            Assert.That(grants, Does.Contain("refresh_token"));
            Assert.That(audiences, Does.Contain("identity-api"));
            Assert.That(adminPermissions, Does.Contain("keys:manage"));
            Assert.That(defaultRoles, Is.EqualTo(new[] { "user" }));
        });
    }

    [Test]
    public async Task The_demo_admin_may_manage_roles_and_clients_while_the_default_user_role_stays_narrow()
    {
        var (adminPermissions, userPermissions) = (new List<string>(), new List<string>());
        await ChangeStoreAsync(async (database, _) =>
        {
            adminPermissions = await database.Roles.Where(r => r.Name == "admin").SelectMany(r => r.Permissions).Select(p => p.Name).ToListAsync();
            userPermissions = await database.Roles.Where(r => r.Name == "user" && r.IsDefault).SelectMany(r => r.Permissions).Select(p => p.Name).ToListAsync();
        });

        Assert.Multiple(() =>
        {
            Assert.That(adminPermissions, Is.SupersetOf(new[] { "users:manage", "audit:read", "roles:manage", "clients:manage", "keys:manage" }));
            Assert.That(userPermissions, Is.EquivalentTo(new[] { "orders:read", "orders:write", "inventory:read" }));
        });
    }
}
