using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>
/// How the token service connects to PostgreSQL: each connection keeps the statements it runs often prepared
/// (<c>Database:PreparedStatements</c>), whatever the connection string says.
/// </summary>
[TestFixture]
public sealed class DatabaseSettingsTests
{
    private const string ConnectionString = "Host=127.0.0.1;Database=tokens;Username=tokens;Max Auto Prepare=5";

    [Test]
    public void A_connection_keeps_64_statements_prepared_by_default() =>
        Assert.That(MaxAutoPrepare(new Dictionary<string, string?>()), Is.EqualTo(64));

    [TestCase(0)]
    [TestCase(256)]
    public void The_setting_replaces_the_connection_strings_own(int prepared) =>
        Assert.That(MaxAutoPrepare(new Dictionary<string, string?> { ["Database:PreparedStatements"] = $"{prepared}" }), Is.EqualTo(prepared));

    [TestCase(-1)]
    [TestCase(257)]
    public void A_setting_outside_0_to_256_is_refused_at_start(int prepared)
    {
        using var host = Build(new Dictionary<string, string?> { ["Database:PreparedStatements"] = $"{prepared}" });

        Assert.That(() => host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Database:PreparedStatements"));
    }

    private static int MaxAutoPrepare(Dictionary<string, string?> settings)
    {
        using var host = Build(settings);
        using var scope = host.Services.CreateScope();
        var database = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        return new NpgsqlConnectionStringBuilder(database.Database.GetConnectionString()).MaxAutoPrepare;
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = ConnectionString,
        });
        builder.AddTokenDatabase();
        return builder.Build();
    }
}
