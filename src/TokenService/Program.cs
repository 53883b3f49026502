using ServiceDefaults;
using TokenService.Accounts;
using TokenService.Administration;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Commands;
using TokenService.Data;
using TokenService.Discovery;
using TokenService.IdentityApi;
using TokenService.Keys;
using TokenService.Mfa;
using TokenService.Notifications;
using TokenService.OperatorBootstrap;
using TokenService.Passwords;
using TokenService.RefreshTokens;
using TokenService.Seeding;
using TokenService.SelfService;
using TokenService.Sessions;
using TokenService.Tokens;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();             // telemetry, health, problem details
builder.AddTokenDatabase();               // EF Core store (SQLite locally, PostgreSQL in production), migrations
builder.AddDemoSeed();                    // demo roles, users and clients for local runs (off unless configured)
builder.AddOperatorBootstrap();           // `bootstrap-admin`: the first operator of a production store
builder.AddAuditLog();                    // append-only audit log, written with the change it records
builder.AddPasswords();                   // Argon2id hashing
builder.AddAccounts();                    // sign-in protection: account lockout, per-address rate limits
builder.AddNotifications();               // messages to users through the outbox table
builder.AddSelfService();                 // sign-up (off unless configured), password change
builder.AddSigningKeys();                 // RSA signing keys sealed at rest, shared by all instances
builder.AddClients();                     // OAuth clients: authentication, records cached for seconds
builder.AddTokenIssuance();               // OAuth 2.0 token endpoint and its grants
builder.AddRefreshTokens();               // sessions: rotation, reuse detection, grace window, cleanup
builder.AddMfa();                         // TOTP second factor: mfa_required, the completing grant, recovery codes
builder.AddIdentityApiAuthentication();   // the token service's own API accepts its own access tokens

var app = builder.Build();

if (await app.TryRunCommandAsync(args))  // one-off steps (Kubernetes Jobs): `migrate`, `bootstrap-admin`
{
    return;
}

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
app.MapMfa();
app.MapKeyAdministration();
app.MapAdministration();
app.Run();
