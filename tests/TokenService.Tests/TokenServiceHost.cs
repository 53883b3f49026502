using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Tests;

/// <summary>The real token service over a real database, seeded with the demo data and known credentials.</summary>
public sealed class TokenServiceHost(DatabaseProvider provider, string connectionString) : WebApplicationFactory<AccessTokenIssuer>
{
    public const string Issuer = "https://auth.test";
    public const string AdminPassword = "admin-password-for-tests";
    public const string UserPassword = "alice-password-for-tests";
    public const string OrdersServiceSecret = "orders-service-secret-for-tests-0123456789";
    public const string ReportingServiceSecret = "reporting-service-secret-for-tests-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", provider.ToString());
        builder.UseSetting("Database:ConnectionString", connectionString);
        builder.UseSetting("Database:MigrateOnStart", "true");
        builder.UseSetting("Tokens:Issuer", Issuer);
        builder.UseSetting("SigningKeys:KeyEncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        builder.UseSetting("DemoSeed:Enabled", "true");
        builder.UseSetting("DemoSeed:AdminPassword", AdminPassword);
        builder.UseSetting("DemoSeed:UserPassword", UserPassword);
        builder.UseSetting("DemoSeed:OrdersServiceSecret", OrdersServiceSecret);
        builder.UseSetting("DemoSeed:ReportingServiceSecret", ReportingServiceSecret);
    }
}
