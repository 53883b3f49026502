using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>A fresh key-encryption key; instances sharing a database must share it too.</summary>
    public static string NewKeyEncryptionKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static ConfiguredHost<AccessTokenIssuer> Create(
        DatabaseProvider provider, string connectionString, string? keyEncryptionKey = null,
        IReadOnlyDictionary<string, string>? extraSettings = null, Action<IServiceCollection>? replaceServices = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connectionString,
            ["Database:MigrateOnStart"] = "true",
            ["Tokens:Issuer"] = Issuer,
            ["SigningKeys:KeyEncryptionKey"] = keyEncryptionKey ?? NewKeyEncryptionKey(),
            ["DemoSeed:Enabled"] = "true",
            ["DemoSeed:AdminPassword"] = AdminPassword,
            ["DemoSeed:UserPassword"] = UserPassword,
            ["DemoSeed:OrdersServiceSecret"] = OrdersServiceSecret,
            ["DemoSeed:ReportingServiceSecret"] = ReportingServiceSecret,
        };
        return new ConfiguredHost<AccessTokenIssuer>(Overlay(settings, extraSettings), replaceServices: replaceServices);
    }

    /// <summary><paramref name="settings"/> with <paramref name="overrides"/> added or put in place of the same keys.</summary>
    public static Dictionary<string, string> Overlay(IReadOnlyDictionary<string, string>? settings, IReadOnlyDictionary<string, string>? overrides)
    {
        var merged = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        return merged;
    }
}
