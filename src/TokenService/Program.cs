using ServiceDefaults;
using TokenService.Accounts;
using TokenService.Administration;
using TokenService.Audit;
using TokenService.ClientAddresses;
using TokenService.Data;
using TokenService.Discovery;
using TokenService.IdentityApi;
using TokenService.Keys;
using TokenService.Notifications;
using TokenService.Passwords;
using TokenService.RefreshTokens;
using TokenService.Seeding;
using TokenService.SelfService;
using TokenService.Sessions;
using TokenService.Tokens;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();             // telemetry, health, problem details
builder.AddClientAddresses();             // the client's address as the trusted gateway forwards it
builder.AddTokenDatabase();               // EF Core store (SQLite locally, PostgreSQL in production), migrations
builder.AddDemoSeed();                    // demo roles, users and clients for local runs (off unless configured)
builder.AddAuditLog();                    // append-only audit log, written with the change it records
builder.AddPasswords();                   // Argon2id hashing
builder.AddAccounts();                    // sign-in protection: account lockout, per-address rate limits
builder.AddNotifications();               // messages to users through the outbox table
builder.AddSelfService();                 // sign-up (off unless configured), password change
builder.AddSigningKeys();                 // RSA signing keys sealed at rest, shared by all instances
builder.AddTokenIssuance();               // OAuth 2.0 token endpoint and its grants
builder.AddRefreshTokens();               // sessions: rotation, reuse detection, grace window, cleanup
builder.AddIdentityApiAuthentication();   // the token service's own API accepts its own access tokens

var app = builder.Build();

if (args is ["migrate", ..])
{
    // Release step (a Kubernetes Job): apply migrations once, then exit.
    await app.Services.MigrateTokenDatabaseAsync(CancellationToken.None);
    return;
}

app.UseClientAddresses();
app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDiscovery();
app.MapJwks();
app.MapTokenEndpoint();
app.MapTokenRevocation();
app.MapTokenIntrospection();
app.MapSessions();
app.MapSelfService();
app.MapKeyAdministration();
app.MapAdministration();
app.Run();
