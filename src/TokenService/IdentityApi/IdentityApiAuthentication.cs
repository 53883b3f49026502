using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.Authorization;
using TokenService.Keys;
using TokenService.Tokens;

namespace TokenService.IdentityApi;

/// <summary>
/// The token service's own API (<c>/account/*</c>, <c>/admin/*</c>) accepts the access tokens it issues for the
/// <see cref="Audience"/> audience, verified against its in-memory key ring (no HTTP round trip to itself).
/// </summary>
public static class IdentityApiAuthentication
{
    /// <summary>The audience of the token service's own API.</summary>
    public const string Audience = "identity-api";

    public static IHostApplicationBuilder AddIdentityApiAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyRing, TimeProvider, IOptions<TokenOptions>>((jwt, ring, time, tokens) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TimeProvider = time;
                jwt.IncludeErrorDetails = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = tokens.Value.Issuer,
                    ValidAudience = Audience,
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    ValidTypes = ["at+jwt"],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    IssuerSigningKeyResolver = (_, _, keyId, _) => ring.PublishedKeys(time.GetUtcNow())
                        .Where(key => key.KeyId == keyId).Select(key => key.Credentials.Key),
                    NameClaimType = AccessTokenClaims.Subject,
                    RoleClaimType = AccessTokenClaims.Roles,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnChallenge = context =>
                    {
                        if (context.AuthenticateFailure is not null)
                        {
                            context.Error = "invalid_token";
                        }

                        return Task.CompletedTask;
                    },
                    OnForbidden = context =>
                    {
                        context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
                        return Task.CompletedTask;
                    },
                };
            });
        builder.Services.AddAuthorization();
        return builder;
    }
}
