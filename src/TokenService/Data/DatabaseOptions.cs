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

    /// <summary>
    /// How long opening a PostgreSQL connection may take before the request fails with 503. Default 3 seconds,
    /// between 1 and 60; replaces any <c>Timeout</c> in the connection string. Short, so an unreachable database
    /// answers callers promptly instead of holding them for Npgsql's 15-second default.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long one database command may run before it fails (503 for the caller). Default 10 seconds, between 1 and
    /// 120; replaces any <c>Command Timeout</c> in the connection string (for SQLite it bounds the wait for a lock).
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many statements each PostgreSQL connection keeps prepared (Npgsql's automatic preparation: a statement run
    /// five times on a connection is prepared there, the least used one is dropped past this many), so PostgreSQL
    /// parses and plans the token endpoint's statements once per connection instead of on every request. Default 64,
    /// between 0 and 256; replaces any <c>Max Auto Prepare</c> in the connection string. Set 0 when connections go
    /// through a pooler that does not keep prepared statements (PgBouncer in transaction mode before 1.21).
    /// </summary>
    public int PreparedStatements { get; set; } = 64;
}
