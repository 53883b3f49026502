using ServiceDefaults;
using TokenService.Data;
using TokenService.Discovery;
using TokenService.Keys;
using TokenService.Passwords;
using TokenService.Seeding;
using TokenService.Tokens;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();   // telemetry, health, problem details
builder.AddTokenDatabase();     // EF Core store (SQLite locally, PostgreSQL in production), migrations
builder.AddDemoSeed();          // demo roles, users and clients for local runs (off unless configured)
builder.AddPasswords();         // Argon2id hashing
builder.AddSigningKeys();       // RSA signing keys sealed at rest, shared by all instances
builder.AddTokenIssuance();     // OAuth 2.0 token endpoint and its grants

var app = builder.Build();

if (args is ["migrate", ..])
{
    // Release step (a Kubernetes Job): apply migrations once, then exit.
    await app.Services.MigrateTokenDatabaseAsync(CancellationToken.None);
    return;
}

app.UseServiceDefaults();
app.MapDiscovery();
app.MapJwks();
app.MapTokenEndpoint();
app.Run();
