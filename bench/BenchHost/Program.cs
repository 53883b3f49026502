using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using TestSupport;
using Yarp.ReverseProxy.Configuration;

// Usage:
//   BenchHost mint <dir> <count>          a fresh RSA key: <dir>/jwks.json and <count> distinct valid tokens in <dir>/tokens.txt
//   BenchHost backend <port> <jwks.json>  GET /orders/{**rest} answers "hello"; also discovery + JWKS for the gateway
//   BenchHost yarp <port> <backend URL>   plain YARP 2.3, no authentication: /api/orders/{**rest} -> backend /orders/...
//   BenchHost yarp-jwtbearer <port> <backend URL>
//                                         the same YARP behind stock JwtBearer (the 0.58x baseline): the backend's
//                                         discovery and JWKS, audience orders-api, every other option at its default
return args switch
{
    ["mint", var directory, var count] => Mint(directory, int.Parse(count, CultureInfo.InvariantCulture)),
    ["backend", var port, var jwks] => await RunAsync(Backend(port, File.ReadAllText(jwks))),
    ["yarp", var port, var backend] => await RunAsync(Yarp(port, backend, authority: null)),
    ["yarp-jwtbearer", var port, var backend] => await RunAsync(Yarp(port, backend, authority: backend)),
    _ => Usage(),
};

static int Mint(string directory, int count)
{
    using var key = new TestSigningKey();
    Directory.CreateDirectory(directory);
    File.WriteAllText(Path.Combine(directory, "jwks.json"), TestSigningKey.ToJwks(key));
    // One hour, so a run never sees a token expire; every token distinct (own jti), as a new client's would be.
    var spec = new TokenSpec { Scopes = ["orders"], Permissions = ["orders:read"], Lifetime = TimeSpan.FromHours(1) };
    var tokens = new string[count];
    Parallel.For(0, count, i => tokens[i] = key.CreateToken(spec with { Subject = $"user-{i % 1000}" }));
    File.WriteAllLines(Path.Combine(directory, "tokens.txt"), tokens);
    return 0;
}

static WebApplication Backend(string port, string jwks)
{
    var app = Slim(port);
    app.MapGet("/orders/{**rest}", () => "hello");
    app.MapGet("/.well-known/openid-configuration", (HttpContext context) => Results.Json(new Dictionary<string, string>
    {
        ["issuer"] = FakeAuthority.Issuer,
        ["jwks_uri"] = $"http://{context.Request.Host}/.well-known/jwks.json",
    }));
    app.MapGet("/.well-known/jwks.json", () => Results.Text(jwks, "application/json"));
    return app;
}

// With an authority: stock JwtBearer in front of the route, which requires an authenticated user (the default policy).
static WebApplication Yarp(string port, string backend, string? authority)
{
    var builder = SlimBuilder(port);
    if (authority is not null)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.Authority = authority;
            options.Audience = "orders-api";
            // The bench's authority is the loopback backend over plain HTTP; never outside a benchmark.
            options.RequireHttpsMetadata = false;
        });
        builder.Services.AddAuthorization();
    }

    builder.Services.AddReverseProxy().LoadFromMemory(
        [new RouteConfig
        {
            RouteId = "orders",
            ClusterId = "backend",
            Match = new RouteMatch { Path = "/api/orders/{**rest}" },
            Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = "/api" }],
            AuthorizationPolicy = authority is null ? null : "default",
        }],
        [new ClusterConfig
        {
            ClusterId = "backend",
            Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = backend } },
        }]);
    var app = builder.Build();
    if (authority is not null)
    {
        app.UseAuthentication();
        app.UseAuthorization();
    }

    app.MapReverseProxy();
    return app;
}

static WebApplicationBuilder SlimBuilder(string port)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    builder.Logging.ClearProviders();
    return builder;
}

static WebApplication Slim(string port) => SlimBuilder(port).Build();

static async Task<int> RunAsync(WebApplication app)
{
    await app.RunAsync();
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: BenchHost mint <dir> <count> | backend <port> <jwks.json> | yarp <port> <backend URL> | yarp-jwtbearer <port> <backend URL>");
    return 2;
}
