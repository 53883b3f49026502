using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.TokenVerification;

/// <summary>Ready once the token service's key set has been read: without keys no request can be served.</summary>
internal sealed class SigningKeysHealthCheck(IOptionsMonitor<JwtBearerOptions> jwtOptions) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (jwtOptions.KeySet() is not { } keySet)
        {
            return HealthCheckResult.Unhealthy("Token verification is not configured.");
        }

        try
        {
            // Answers from the cache; only fetches when no key set was ever read or the refresh interval passed.
            var configuration = await keySet.ReadAsync(cancellationToken).ConfigureAwait(false);
            return configuration.SigningKeys.Count > 0
                ? HealthCheckResult.Healthy($"{configuration.SigningKeys.Count} signing keys known.")
                : HealthCheckResult.Unhealthy("The token service publishes no signing keys.");
        }
        catch (InvalidOperationException exception)
        {
            return HealthCheckResult.Unhealthy("The token service's key set could not be read.", exception);
        }
    }
}
