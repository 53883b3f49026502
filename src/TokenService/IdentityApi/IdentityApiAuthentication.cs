using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using ServiceDefaults.TokenVerification;
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
                jwt.TokenValidationParameters = SelfIssuedTokens.ValidationParameters(ring, time, tokens.Value.Issuer, Audience);
                jwt.Events = new JwtBearerEvents
                {
                    OnChallenge = context =>
                    {
                        BearerChallenges.MarkInvalidToken(context);
                        return Task.CompletedTask;
                    },
                    OnForbidden = context =>
                    {
                        BearerChallenges.MarkInsufficientScope(context);
                        return Task.CompletedTask;
                    },
                };
            });
        builder.Services.AddAuthorization();
        return builder;
    }
}
