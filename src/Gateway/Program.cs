using Gateway.Limits;
using Gateway.Policies;
using Gateway.Proxy;
using Gateway.RateLimits;
using Gateway.RequestIds;
using Gateway.RequestTargets;
using ServiceDefaults;
using ServiceDefaults.TokenVerification;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();              // telemetry, /metrics and health (on Management:Port), problem details, client addresses
builder.AddRequestLimits();                // Kestrel's body and header size limits and timeouts from configuration
builder.AddRequestTimeLimits();            // an overall time limit per request, minimum body and response data rates
builder.AddAccessTokenVerification();      // every bearer token checked against the token service's JWKS
builder.AddRoutePolicies();                // default deny; per-route scope/permission/role policies from configuration
builder.AddRateLimits();                   // per token subject, per client IP without one; the token endpoint tightest
builder.AddProxy();                        // YARP routes and clusters from configuration, identity-header stripping

var app = builder.Build();

app.UseRequestIds();                   // X-Request-Id on every request, response and log line
app.UseServiceDefaults();
app.UseCanonicalRequestTargets();      // one canonical form per path, so the path judged is the path forwarded
app.UseRequestTimeLimits();            // 408/504 problem details when a request outlasts Gateway:RequestTimeouts:Request
app.UseAuthentication();
app.UseRateLimits();                   // after authentication: limits are per token subject
app.UseAuthorization();
app.MapReverseProxy();
app.Run();

