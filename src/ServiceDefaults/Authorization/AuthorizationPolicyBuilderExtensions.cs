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
            builder.RequireAssertion(context => required.All(context.User.HasScope));
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

    public static bool HasScope(this ClaimsPrincipal user, string scope)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindAll(AccessTokenClaims.Scope)
            .Any(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));
    }

    public static bool HasPermission(this ClaimsPrincipal user, string permission)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.HasClaim(AccessTokenClaims.Permissions, permission);
    }
}
