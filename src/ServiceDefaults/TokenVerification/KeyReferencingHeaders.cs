using Microsoft.IdentityModel.JsonWebTokens;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// Header parameters that point at keys or demand extensions (RFC 7515 §4.1): the token service never sets them, so a
/// token carrying one was not made by it, even if its signature checks out against a JWKS key.
/// </summary>
internal static class KeyReferencingHeaders
{
    private static readonly string[] Names = ["jku", "jwk", "x5u", "x5c", "crit"];

    /// <summary>A loop rather than LINQ with a closure: this runs for every validated token (docs/performance.md).</summary>
    public static bool CarriedBy(JsonWebToken token)
    {
        foreach (var name in Names)
        {
            if (token.TryGetHeaderValue<object>(name, out _))
            {
                return true;
            }
        }

        return false;
    }
}
