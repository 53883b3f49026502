using System.Security.Claims;
using ServiceDefaults.Authorization;

namespace TokenService.IdentityApi;

public static class CallerIdentity
{
    /// <summary>The user behind a user token; null for a client's own token (client_credentials), whose <c>sub</c> is the client id.</summary>
    public static Guid? UserId(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return Guid.TryParse(principal.FindFirstValue(AccessTokenClaims.Subject), out var id) ? id : null;
    }
}
