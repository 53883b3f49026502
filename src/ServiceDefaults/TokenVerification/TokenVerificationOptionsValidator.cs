using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ServiceDefaults.TokenVerification;

internal sealed class TokenVerificationOptionsValidator : IValidateOptions<TokenVerificationOptions>
{
    private static readonly TimeSpan MaximumClockSkew = TimeSpan.FromSeconds(60);
    private const int MaximumValidatedTokenCacheSize = 1_000_000;

    public ValidateOptionsResult Validate(string? name, TokenVerificationOptions options)
    {
        var failures = new List<string>();
        if (options.Authority is not { IsAbsoluteUri: true } authority)
        {
            failures.Add("TokenVerification:Authority must be an absolute URL of the token service.");
        }
        else if (authority.Scheme != Uri.UriSchemeHttps && !options.AllowInsecureHttpMetadata)
        {
            failures.Add($"TokenVerification:Authority must use https ({authority}); set TokenVerification:AllowInsecureHttpMetadata=true only for local development.");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("TokenVerification:Issuer is required.");
        }

        if (options.Audiences.Count == 0 || options.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("TokenVerification:Audiences must list at least one non-empty audience.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaximumClockSkew)
        {
            failures.Add($"TokenVerification:ClockSkew must be between 0 and {MaximumClockSkew.TotalSeconds} seconds.");
        }

        // The limits of the configuration manager that schedules the fetches; it would throw at the first request.
        if (options.MinimumKeyRefreshInterval < BaseConfigurationManager.MinimumRefreshInterval)
        {
            failures.Add($"TokenVerification:MinimumKeyRefreshInterval must be at least {BaseConfigurationManager.MinimumRefreshInterval}.");
        }

        // A scheduled refresh asked for sooner than the minimum interval after the last fetch would be dropped.
        if (options.KeyRefreshInterval < options.MinimumKeyRefreshInterval)
        {
            failures.Add("TokenVerification:KeyRefreshInterval must be at least MinimumKeyRefreshInterval.");
        }

        if (options.UnknownKeyIdRetention < options.MinimumKeyRefreshInterval || options.UnknownKeyIdRetention > TimeSpan.FromDays(1))
        {
            failures.Add("TokenVerification:UnknownKeyIdRetention must be at least MinimumKeyRefreshInterval and at most 1 day.");
        }

        if (options.UnknownKeyIdCapacity is < 1 or > 1_000_000)
        {
            failures.Add("TokenVerification:UnknownKeyIdCapacity must be between 1 and 1000000.");
        }

        if (!string.IsNullOrWhiteSpace(options.FallbackJwks) && !HasSigningKeys(options.FallbackJwks))
        {
            failures.Add("TokenVerification:FallbackJwks must be a JWKS document with at least one signing key.");
        }

        if (options.ValidatedTokenCacheSize is < 0 or > MaximumValidatedTokenCacheSize)
        {
            failures.Add($"TokenVerification:ValidatedTokenCacheSize must be between 0 (off) and {MaximumValidatedTokenCacheSize}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool HasSigningKeys(string jwks)
    {
        try
        {
            return new JsonWebKeySet(jwks).GetSigningKeys().Count > 0;
        }
        catch (Exception exception) when (exception is ArgumentException or JsonException)
        {
            return false;
        }
    }
}
