namespace TokenService.Data;

public enum DatabaseProvider
{
    /// <summary>An embedded SQLite file: the default for running everything on one machine.</summary>
    Sqlite,

    /// <summary>PostgreSQL: the production store.</summary>
    Postgres,
}

/// <summary>Bound from the <c>Database</c> section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Which store to use. Default <see cref="DatabaseProvider.Sqlite"/>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>ADO.NET connection string for the provider. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Apply pending migrations when the process starts. Default <c>false</c>: in a cluster a release job runs
    /// them once (<c>TokenService migrate</c>); the local run and the tests switch it on.
    /// </summary>
    public bool MigrateOnStart { get; set; }
}
