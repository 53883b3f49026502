using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.Authorization;
using TokenService.Keys;

namespace TokenService.Tokens;

/// <summary>What an access token says about its holder.</summary>
public sealed record AccessTokenSubject(
    string Subject,
    string ClientId,
    IReadOnlyList<string> Audiences,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Permissions,
    DateTimeOffset? AuthenticatedAt = null,
    IReadOnlyList<string>? AuthenticationMethods = null,
    Guid? SessionId = null);

public sealed record IssuedAccessToken(string Token, TimeSpan Lifetime);

/// <summary>Mints RS256 access tokens in the RFC 9068 profile (<c>typ: at+jwt</c>) with the active signing key.</summary>
public sealed class AccessTokenIssuer(SigningKeyRing keys, TimeProvider time, IOptions<TokenOptions> options)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public IssuedAccessToken Issue(AccessTokenSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var now = time.GetUtcNow();
        var credentials = keys.ActiveCredentials(now)
            ?? throw new InvalidOperationException("No active signing key is loaded.");
        var lifetime = options.Value.AccessTokenLifetime;

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = subject.Subject,
            [JwtRegisteredClaimNames.Aud] = subject.Audiences.Count == 1 ? subject.Audiences[0] : subject.Audiences.ToArray(),
            [JwtRegisteredClaimNames.Jti] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            [AccessTokenClaims.ClientId] = subject.ClientId,
        };
        if (subject.Scopes.Count > 0)
        {
            claims[AccessTokenClaims.Scope] = string.Join(' ', subject.Scopes);
        }

        if (subject.Roles.Count > 0)
        {
            claims[AccessTokenClaims.Roles] = subject.Roles.ToArray();
        }

        if (subject.Permissions.Count > 0)
        {
            claims[AccessTokenClaims.Permissions] = subject.Permissions.ToArray();
        }

        if (subject.AuthenticatedAt is { } authenticatedAt)
        {
            claims[AccessTokenClaims.AuthenticationTime] = authenticatedAt.ToUnixTimeSeconds();
        }

        if (subject.SessionId is { } sessionId)
        {
            claims[AccessTokenClaims.SessionId] = sessionId.ToString();
        }

        if (subject.AuthenticationMethods is { Count: > 0 } methods)
        {
            claims[AccessTokenClaims.AuthenticationMethods] = methods.ToArray();
        }

        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Issuer = options.Value.Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = credentials,
        });
        return new IssuedAccessToken(token, lifetime);
    }
}
