using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TestSupport;

/// <summary>
/// An RSA key of the tests' own, to mint access tokens the way the token service would (or deliberately
/// not), and to publish as a JWKS from a <see cref="FakeAuthority"/>.
/// </summary>
public sealed class TestSigningKey : IDisposable
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly RSA _rsa = RSA.Create(2048);

    public TestSigningKey(string? keyId = null)
    {
        KeyId = keyId ?? Guid.NewGuid().ToString("N");
        SecurityKey = new RsaSecurityKey(_rsa) { KeyId = KeyId };
    }

    public string KeyId { get; }

    public RsaSecurityKey SecurityKey { get; }

    /// <summary>The public key as a JWK object (kty, use, alg, kid, n, e).</summary>
    public Dictionary<string, string> PublicJwk()
    {
        var parameters = _rsa.ExportParameters(false);
        return new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }

    /// <summary>The public key's modulus and exponent, for tokens that abuse them (HMAC "signed" with the public key).</summary>
    public byte[] PublicKeyBytes() => _rsa.ExportSubjectPublicKeyInfo();

    /// <summary>Mints an RS256 <c>at+jwt</c> token; <paramref name="customize"/> changes the descriptor before signing.</summary>
    public string CreateToken(TokenSpec spec, Action<SecurityTokenDescriptor>? customize = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var claims = new Dictionary<string, object>(spec.ExtraClaims)
        {
            ["sub"] = spec.Subject,
            ["client_id"] = spec.ClientId,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (spec.Audiences.Count > 0)
        {
            claims["aud"] = spec.Audiences.Count == 1 ? spec.Audiences[0] : spec.Audiences.ToArray();
        }

        if (spec.Scopes.Count > 0)
        {
            claims["scope"] = string.Join(' ', spec.Scopes);
        }

        if (spec.Permissions.Count > 0)
        {
            claims["permissions"] = spec.Permissions.ToArray();
        }

        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = spec.TokenType,
            Issuer = spec.Issuer,
            IssuedAt = spec.IssuedAt.UtcDateTime,
            NotBefore = spec.IssuedAt.UtcDateTime,
            Expires = (spec.IssuedAt + spec.Lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.RsaSha256),
        };
        customize?.Invoke(descriptor);
        return Handler.CreateToken(descriptor);
    }

    public static string ToJwks(params IEnumerable<TestSigningKey> keys) =>
        JsonSerializer.Serialize(new { keys = keys.Select(key => key.PublicJwk()) });

    public void Dispose() => _rsa.Dispose();
}

/// <summary>The claims of a test token; defaults describe a valid token for <see cref="FakeAuthority.Issuer"/>.</summary>
public sealed record TokenSpec
{
    public string Issuer { get; init; } = FakeAuthority.Issuer;

    public string Subject { get; init; } = "user-1";

    public string ClientId { get; init; } = "mobile-app";

    public IReadOnlyList<string> Audiences { get; init; } = ["orders-api"];

    public IReadOnlyList<string> Scopes { get; init; } = [];

    public IReadOnlyList<string> Permissions { get; init; } = [];

    public string TokenType { get; init; } = "at+jwt";

    public DateTimeOffset IssuedAt { get; init; } = DateTimeOffset.UnixEpoch.AddSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(5);

    public IReadOnlyDictionary<string, object> ExtraClaims { get; init; } = new Dictionary<string, object>();
}
