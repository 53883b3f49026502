using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace TokenService.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build each provider's model without starting the app.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTokenDbContext>
{
    public PostgresTokenDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTokenDbContext>().UseNpgsql("Host=design-time-only").Options);
}

/// <inheritdoc cref="PostgresDesignTimeFactory"/>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTokenDbContext>
{
    public SqliteTokenDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTokenDbContext>().UseSqlite("Data Source=design-time-only.db").Options);
}
