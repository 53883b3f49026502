using System.Security.Cryptography;
using TestSupport;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>The real token service over a real database, seeded with the demo data and known credentials.</summary>
public static class TokenServiceHost
{
    public const string Issuer = "https://auth.test";
    public const string AdminPassword = "admin-password-for-tests";
    public const string UserPassword = "alice-password-for-tests";
    public const string OrdersServiceSecret = "orders-service-secret-for-tests-0123456789";
    public const string ReportingServiceSecret = "reporting-service-secret-for-tests-0123456789";

    public static ConfiguredHost<AccessTokenIssuer> Create(DatabaseProvider provider, string connectionString) => new(new Dictionary<string, string>
    {
        ["Database:Provider"] = provider.ToString(),
        ["Database:ConnectionString"] = connectionString,
        ["Database:MigrateOnStart"] = "true",
        ["Tokens:Issuer"] = Issuer,
        ["SigningKeys:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["DemoSeed:Enabled"] = "true",
        ["DemoSeed:AdminPassword"] = AdminPassword,
        ["DemoSeed:UserPassword"] = UserPassword,
        ["DemoSeed:OrdersServiceSecret"] = OrdersServiceSecret,
        ["DemoSeed:ReportingServiceSecret"] = ReportingServiceSecret,
    });
}
