using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// Reads the key set once at start so the first request does not pay for it, and says loudly when insecure
/// settings are on. A token service that is down does not stop the start: readiness reports it instead.
/// </summary>
internal sealed partial class KeySetWarmUp(
    IOptionsMonitor<JwtBearerOptions> jwtOptions,
    IOptions<TokenVerificationOptions> verificationOptions,
    ILogger<KeySetWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var verification = verificationOptions.Value;
        if (verification.AllowInsecureHttpMetadata)
        {
            LogInsecureMetadata(logger, verification.Authority);
        }

        if (jwtOptions.KeySet() is not { } keySet)
        {
            return;
        }

        try
        {
            var configuration = await keySet.ReadAsync(stoppingToken).ConfigureAwait(false);
            LogKeySetRead(logger, configuration.SigningKeys.Count, verification.Authority);
        }
        catch (InvalidOperationException exception)
        {
            LogKeySetUnavailable(logger, verification.Authority, exception.GetBaseException().Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down before the token service answered.
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "TokenVerification:AllowInsecureHttpMetadata is on: keys for {Authority} are fetched without TLS. Use this only on loopback for development.")]
    private static partial void LogInsecureMetadata(ILogger logger, Uri? authority);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Read {KeyCount} signing keys from {Authority}.")]
    private static partial void LogKeySetRead(ILogger logger, int keyCount, Uri? authority);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Could not read the key set from {Authority} at start ({Reason}); readiness stays false until it can.")]
    private static partial void LogKeySetUnavailable(ILogger logger, Uri? authority, string reason);
}
