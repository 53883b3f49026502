using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.Authorization;
using TokenService.Keys;

namespace TokenService.Tokens;

/// <summary>How the token service itself checks access tokens it issued: its issuer, its published keys, RS256, <c>at+jwt</c>.</summary>
internal static class SelfIssuedTokens
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static TokenValidationParameters ValidationParameters(SigningKeyRing ring, TimeProvider time, string issuer, string? audience) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        ValidateAudience = audience is not null,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ValidTypes = ["at+jwt"],
        ClockSkew = ClockSkew,
        // The library reads the system clock; this asks the service's TimeProvider instead (same rule, same skew).
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } expiry && now < expiry + ClockSkew && (notBefore is not { } start || now >= start - ClockSkew);
        },
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        IssuerSigningKeyResolver = (_, _, keyId, _) => ring.PublishedKeys(time.GetUtcNow())
            .Where(key => key.KeyId == keyId).Select(key => key.Credentials.Key),
        NameClaimType = AccessTokenClaims.Subject,
        RoleClaimType = AccessTokenClaims.Roles,
    };
}
