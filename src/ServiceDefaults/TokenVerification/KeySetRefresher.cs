using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// Asks the key set for a refresh every <see cref="TokenVerificationOptions.KeyRefreshInterval"/> of the app's
/// <see cref="TimeProvider"/>, whether or not requests arrive, so a key the token service publishes is known within
/// one interval. The configuration manager still decides: one fetch at a time, and a request within
/// <see cref="TokenVerificationOptions.MinimumKeyRefreshInterval"/> of the last one it started is dropped (that
/// fetch is at most that old).
/// </summary>
internal sealed class KeySetRefresher(
    IOptionsMonitor<JwtBearerOptions> jwtOptions,
    IOptions<TokenVerificationOptions> verificationOptions,
    TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (jwtOptions.KeySet() is not { } keySet)
        {
            return;
        }

        using var schedule = new PeriodicTimer(verificationOptions.Value.KeyRefreshInterval, time);
        try
        {
            while (await schedule.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                keySet.RequestRefresh();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
