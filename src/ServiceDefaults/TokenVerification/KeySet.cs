using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// The token service's key set as JwtBearer sees it: the configuration manager's schedule (background refresh, one
/// fetch at a time, unknown-<c>kid</c> refreshes at most once per minimum interval, last good keys kept), with the
/// decision whether an unknown <c>kid</c> may ask for a refresh taken here, per <c>kid</c>, by
/// <see cref="UnknownKeyIds"/>. Deliberately not a <c>BaseConfigurationManager</c>: given one, the token handler
/// would request refreshes (and retry with older key sets) on its own for every unknown <c>kid</c>.
/// </summary>
internal sealed class KeySet(ConfigurationManager<OpenIdConnectConfiguration> schedule, UnknownKeyIds unknownKeyIds)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    private static readonly OpenIdConnectConfiguration NoKeys = new();

    /// <summary>
    /// For JwtBearer, which reads it for every request: while no key set was ever read, an empty one, so tokens are
    /// refused with 401 (unknown key) rather than failing the request.
    /// </summary>
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        try
        {
            return await schedule.GetConfigurationAsync(cancel).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return NoKeys;
        }
    }

    /// <summary>The key set as last read; throws <see cref="InvalidOperationException"/> while none was ever read.</summary>
    public Task<OpenIdConnectConfiguration> ReadAsync(CancellationToken cancel) => schedule.GetConfigurationAsync(cancel);

    /// <summary>An unconditional refresh, still subject to the minimum interval; token failures use <see cref="RequestRefreshFor"/>.</summary>
    public void RequestRefresh() => schedule.RequestRefresh();

    /// <summary>A token named <paramref name="keyId"/>, which no known key has.</summary>
    public void RequestRefreshFor(string? keyId)
    {
        if (unknownKeyIds.MayRequestRefresh(keyId))
        {
            schedule.RequestRefresh();
        }
    }
}
