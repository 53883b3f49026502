using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.TokenVerification;
using TestSupport;

namespace Validation;

/// <summary>
/// What one request costs the gateway's authentication (JwtBearer with the platform's token verification, exactly as
/// <c>AddAccessTokenVerification</c> wires it), against one raw RSA-2048 PKCS#1 SHA-256 verification of the same token,
/// and what stock JwtBearer's authentication costs for the same tokens (the issue's baseline, in process).
/// </summary>
[MemoryDiagnoser]
public class TokenVerificationBenchmarks
{
    /// <summary>
    /// Sixteen times the 1,024 entries of the cache used for "new token", so every one of them is a miss: a token is
    /// remembered only if its hash is still in the admission table when it comes round again, and in each of its 1,024
    /// slots the 16,383 other tokens of a cycle overwrite it but for a chance of e^-16.
    /// </summary>
    private const int DistinctTokens = 16_384;

    private string _jwks = "";
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private string[] _tokens = [];
    private byte[] _signedBytes = [];
    private byte[] _signature = [];
    private RSA _publicKey = null!;
    private TokenValidationParameters _parameters = null!;
    private WebApplication _cached = null!;
    private WebApplication _small = null!;
    private WebApplication _uncached = null!;
    private WebApplication _stock = null!;
    private int _next;

    /// <summary>Every authentication set-up the benchmarks run, named for the --check run, to check and to dispose.</summary>
    private (string Name, WebApplication App)[] Apps => [("uncached", _uncached), ("cached", _cached), ("small", _small), ("stock", _stock)];

    [GlobalSetup]
    public void Setup()
    {
        using var key = new TestSigningKey();
        var spec = new TokenSpec { Scopes = ["orders"], Permissions = ["orders:read"], Lifetime = TimeSpan.FromHours(1) };
        _tokens = Enumerable.Range(0, DistinctTokens).Select(i => key.CreateToken(spec with { Subject = $"user-{i}" })).ToArray();
        _jwks = TestSigningKey.ToJwks(key);
        var token = _tokens[0];
        var lastDot = token.LastIndexOf('.');
        _signedBytes = Encoding.ASCII.GetBytes(token[..lastDot]);
        _signature = Base64UrlEncoder.DecodeBytes(token[(lastDot + 1)..]);
        _publicKey = RSA.Create();
        _publicKey.ImportSubjectPublicKeyInfo(key.PublicKeyBytes(), out _);
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = FakeAuthority.Issuer,
            ValidAudience = "orders-api",
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = ["at+jwt"],
            IssuerSigningKey = new RsaSecurityKey(_publicKey) { KeyId = key.KeyId },
        };
        _cached = Gateway(cacheSize: 10_000);
        _small = Gateway(cacheSize: 1024);
        _uncached = Gateway(cacheSize: 0);
        _stock = StockJwtBearer();
        foreach (var (_, app) in Apps)
        {
            if (!Authenticate(app, token).GetAwaiter().GetResult())
            {
                throw new InvalidOperationException("The benchmark's token does not authenticate.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (_, app) in Apps)
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _publicKey.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw RSA-2048 verify")]
    public bool RawRsaVerify() => _publicKey.VerifyData(_signedBytes, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark(Description = "JsonWebTokenHandler.ValidateTokenAsync alone")]
    public async Task<bool> HandlerAlone() => (await _handler.ValidateTokenAsync(_tokens[0], _parameters)).IsValid;

    /// <summary>
    /// The library's validation with the identity every authentication reads from its result (JwtBearer's principal is
    /// built on it). The library builds it only when asked, so the row above leaves it out: this one is the floor under
    /// any authentication step that uses IdentityModel, ours and stock JwtBearer's alike.
    /// </summary>
    [Benchmark(Description = "JsonWebTokenHandler.ValidateTokenAsync with its identity")]
    public async Task<ClaimsIdentity> HandlerWithIdentity() => (await _handler.ValidateTokenAsync(_tokens[0], _parameters)).ClaimsIdentity;

    [Benchmark(Description = "gateway auth, no cache, same token")]
    public Task<bool> Uncached() => Authenticate(_uncached, _tokens[0]);

    [Benchmark(Description = "gateway auth, no cache, new token")]
    public Task<bool> UncachedNewToken() => Authenticate(_uncached, _tokens[_next++ % DistinctTokens]);

    [Benchmark(Description = "gateway auth, cache on, new token")]
    public Task<bool> NewToken() => Authenticate(_small, _tokens[_next++ % DistinctTokens]);

    [Benchmark(Description = "gateway auth, cache on, seen token")]
    public Task<bool> SeenToken() => Authenticate(_cached, _tokens[0]);

    [Benchmark(Description = "stock JwtBearer, same token")]
    public Task<bool> StockSameToken() => Authenticate(_stock, _tokens[0]);

    [Benchmark(Description = "stock JwtBearer, new token")]
    public Task<bool> StockNewToken() => Authenticate(_stock, _tokens[_next++ % DistinctTokens]);

    /// <summary>How each gateway variant (and stock JwtBearer) answers a few calls, for the --check sanity run.</summary>
    public async Task<string> CheckAsync()
    {
        var lines = new List<string>();
        foreach (var (name, app) in Apps)
        {
            for (var i = 0; i < 3; i++)
            {
                lines.Add($"{name} #{i}: {(await Authenticate(app, _tokens[i]) ? "ok" : "refused")}");
                lines.Add($"{name} #{i} tampered: {(await Authenticate(app, _tokens[i][..^8] + "AAAAAAAA") ? "ok" : "refused")}");
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>As Kestrel serves a request: its own service scope (the authentication handler lives in it).</summary>
    private static async Task<bool> Authenticate(WebApplication app, string token)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + token;
        return (await context.AuthenticateAsync()).Succeeded;
    }

    /// <summary>
    /// The gateway's verification wiring, not started: the authority is a closed port, so the key set comes from
    /// <c>FallbackJwks</c> (the first fetch fails at once and the key set then stays for the refresh interval).
    /// </summary>
    private WebApplication Gateway(int cacheSize)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenVerification:Authority"] = "http://127.0.0.1:9",
            ["TokenVerification:AllowInsecureHttpMetadata"] = "true",
            ["TokenVerification:Issuer"] = FakeAuthority.Issuer,
            ["TokenVerification:Audiences:0"] = "orders-api",
            ["TokenVerification:FallbackJwks"] = _jwks,
            ["TokenVerification:ValidatedTokenCacheSize"] = cacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddAccessTokenVerification();
        return builder.Build();
    }

    /// <summary>
    /// Stock JwtBearer as the issue's baseline runs it (bench/BenchHost's <c>yarp-jwtbearer</c>): every option at its
    /// default, issuer and audience checked; the key is given directly rather than fetched, as there is no authority here.
    /// </summary>
    private WebApplication StockJwtBearer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.TokenValidationParameters.ValidIssuer = FakeAuthority.Issuer;
            options.TokenValidationParameters.ValidAudience = "orders-api";
            options.TokenValidationParameters.IssuerSigningKey = _parameters.IssuerSigningKey;
        });
        return builder.Build();
    }
}
