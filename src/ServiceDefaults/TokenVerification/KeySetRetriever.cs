using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// Reads discovery and the JWKS for JwtBearer's configuration manager (which keeps the schedule: background
/// refresh, at most one fetch at a time, unknown-<c>kid</c> refreshes rate-limited, the last good key set kept
/// when a fetch fails). This adds what the manager lacks: metrics and logs of every fetch, the configured
/// fallback key set while no fetch has ever succeeded, and telling <see cref="UnknownKeyIds"/> which kids each
/// successful fetch contained.
/// </summary>
internal sealed partial class KeySetRetriever(
    TokenVerificationMetrics metrics,
    UnknownKeyIds unknownKeyIds,
    IOptions<TokenVerificationOptions> options,
    ILogger<KeySetRetriever> logger) : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    private volatile bool _everFetched;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        var fetch = unknownKeyIds.FetchStarting();
        try
        {
            var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(address, retriever, cancel).ConfigureAwait(false);
            _everFetched = true;
            unknownKeyIds.Fetched(fetch, configuration.SigningKeys.Select(key => key.KeyId));
            metrics.FetchSucceeded(configuration.SigningKeys.Count);
            LogFetched(logger, configuration.SigningKeys.Count, address);
            return configuration;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            metrics.FetchFailed();
            LogFetchFailed(logger, address, exception.GetBaseException().Message);
            if (!_everFetched && options.Value.FallbackJwks is { Length: > 0 } fallback)
            {
                LogUsingFallback(logger);
                return FallbackConfiguration(fallback);
            }

            throw;
        }
    }

    private OpenIdConnectConfiguration FallbackConfiguration(string jwks)
    {
        var configuration = new OpenIdConnectConfiguration
        {
            Issuer = options.Value.Issuer,
            JsonWebKeySet = new JsonWebKeySet(jwks),
        };
        foreach (var key in configuration.JsonWebKeySet.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Fetched {KeyCount} signing keys through {Address}.")]
    private static partial void LogFetched(ILogger logger, int keyCount, string address);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Could not fetch the key set through {Address} ({Reason}); the keys known so far stay in use.")]
    private static partial void LogFetchFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "No key set was ever fetched: verifying with TokenVerification:FallbackJwks until the token service answers.")]
    private static partial void LogUsingFallback(ILogger logger);
}
