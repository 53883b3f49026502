using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// The RFC 6750 challenges every resource server of the platform (gateway, services, the token service's own
/// API) answers with: a bare <c>Bearer</c> without a token, <c>Bearer error="invalid_token"</c> with a bad one (no
/// description: why it failed is logged, not told), <c>Bearer error="insufficient_scope"</c> on 403.
/// </summary>
public static class BearerChallenges
{
    /// <summary>Marks the challenge of a presented token that failed; false when no token was presented.</summary>
    public static bool MarkInvalidToken(JwtBearerChallengeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.AuthenticateFailure is null)
        {
            return false;
        }

        context.Error = "invalid_token";
        return true;
    }

    public static void MarkInsufficientScope(ForbiddenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
    }
}
