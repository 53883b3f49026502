using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace ServiceDefaults.Authorization;

public static class AuthorizationPolicyBuilderExtensions
{
    /// <summary>Requires every given permission in the token's <c>permissions</c> claims.</summary>
    public static AuthorizationPolicyBuilder RequirePermissions(this AuthorizationPolicyBuilder builder, params IEnumerable<string> permissions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var permission in permissions)
        {
            builder.RequireClaim(AccessTokenClaims.Permissions, permission);
        }

        return builder;
    }

    /// <summary>Requires every given role in the token's <c>roles</c> claims.</summary>
    public static AuthorizationPolicyBuilder RequireRoles(this AuthorizationPolicyBuilder builder, params IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var role in roles)
        {
            builder.RequireClaim(AccessTokenClaims.Roles, role);
        }

        return builder;
    }

    /// <summary>Requires every given scope in the token's space-separated <c>scope</c> claim.</summary>
    public static AuthorizationPolicyBuilder RequireScopes(this AuthorizationPolicyBuilder builder, params IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var required = scopes.ToArray();
        if (required.Length > 0)
        {
            builder.RequireAssertion(context => HasScopes(context.User, required));
        }

        return builder;
    }

    /// <summary>Requires a token issued to a client for itself (client_credentials: <c>sub</c> equals <c>client_id</c>) by one of the given clients.</summary>
    public static AuthorizationPolicyBuilder RequireServiceClient(this AuthorizationPolicyBuilder builder, params IEnumerable<string> clientIds)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var allowed = clientIds.ToHashSet(StringComparer.Ordinal);
        return builder.RequireAssertion(context =>
            context.User.FindFirstValue(AccessTokenClaims.ClientId) is { } clientId
            && allowed.Contains(clientId)
            && context.User.FindFirstValue(AccessTokenClaims.Subject) == clientId);
    }

    /// <summary>Whether a <c>scope</c> claim (space-separated, claim type compared as <see cref="ClaimsIdentity.FindAll(string)"/> does) names <paramref name="scope"/> exactly.</summary>
    public static bool HasScope(this ClaimsPrincipal user, string scope)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(scope);
        // Loops instead of LINQ and Split: this runs on every request of every route policy (docs/performance.md).
        foreach (var identity in user.Identities)
        {
            foreach (var claim in identity.Claims)
            {
                if (string.Equals(claim.Type, AccessTokenClaims.Scope, StringComparison.OrdinalIgnoreCase) && NamesScope(claim.Value, scope))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool HasScopes(ClaimsPrincipal user, string[] scopes)
    {
        foreach (var scope in scopes)
        {
            if (!user.HasScope(scope))
            {
                return false;
            }
        }

        return true;
    }

    private static bool NamesScope(string scopes, string scope)
    {
        var remaining = scopes.AsSpan();
        foreach (var range in remaining.Split(' '))
        {
            var candidate = remaining[range];
            if (candidate.Length > 0 && candidate.SequenceEqual(scope))
            {
                return true;
            }
        }

        return false;
    }

    public static bool HasPermission(this ClaimsPrincipal user, string permission)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.HasClaim(AccessTokenClaims.Permissions, permission);
    }
}
