using Microsoft.IdentityModel.Tokens;

namespace ServiceDefaults.TokenVerification;

/// <summary>Short, stable names for why a request was refused, for metrics and logs (never told to the caller).</summary>
internal static class TokenFailureReasons
{
    public const string MissingToken = "missing_token";
    public const string KeyReferencingHeader = "key_referencing_header";
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>Most specific first: the library's exception types derive from one another.</summary>
    public static string Of(Exception exception) => exception switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not_yet_valid",
        SecurityTokenNoExpirationException => "no_expiration",
        SecurityTokenSignatureKeyNotFoundException => "unknown_key",
        SecurityTokenInvalidSignatureException => "invalid_signature",
        SecurityTokenInvalidIssuerException => "invalid_issuer",
        SecurityTokenInvalidAudienceException => "invalid_audience",
        SecurityTokenInvalidTypeException => "invalid_type",
        SecurityTokenInvalidAlgorithmException => "invalid_algorithm",
        SecurityTokenMalformedException => "malformed",
        _ => "other",
    };
}
