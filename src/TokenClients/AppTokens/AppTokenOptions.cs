using Microsoft.Extensions.Options;

namespace TokenClients.AppTokens;

/// <summary>How an app signs in and keeps its session (OAuth 2.0 password + refresh_token grants, public client).</summary>
public sealed class AppTokenOptions
{
    public const string DefaultSectionName = "AppTokens";

    /// <summary>The base URL apps talk to, e.g. the gateway <c>https://api.example.com</c>. Required; HTTPS unless <see cref="AllowInsecureHttp"/>.</summary>
    public Uri? Authority { get; set; }

    /// <summary>The token endpoint, relative to <see cref="Authority"/>. Default <c>/connect/token</c>.</summary>
    public string TokenPath { get; set; } = "/connect/token";

    /// <summary>The RFC 7009 revocation endpoint, relative to <see cref="Authority"/>. Default <c>/connect/revoke</c>.</summary>
    public string RevocationPath { get; set; } = "/connect/revoke";

    /// <summary>The app's (public) client id, e.g. <c>mobile-app</c>. Required. Apps have no client secret.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Space-separated scopes asked for at sign-in; empty asks for all the client may have.</summary>
    public string Scope { get; set; } = "";

    /// <summary>The access token is refreshed this long before it expires (but not before half its lifetime). Default 30 seconds.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often one refresh token is sent when its answer is lost (network error, timeout, 408/502/503/504): the token
    /// service answers a repeat of the last refresh token within its grace window (30 s by default) with the same
    /// tokens. Default 3 (1 to 5). Keep <c>RefreshAttempts × (TokenRequestTimeout + RefreshRetryDelay)</c> inside that window.
    /// </summary>
    public int RefreshAttempts { get; set; } = 3;

    /// <summary>Pause before sending a refresh token again after a lost answer. Default 1 second.</summary>
    public TimeSpan RefreshRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one request to the token service. Default 8 seconds.</summary>
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Allows a plain-HTTP <see cref="Authority"/>. Default <c>false</c>; loopback development only.</summary>
    public bool AllowInsecureHttp { get; set; }

    internal Uri TokenEndpoint => new(Authority!, TokenPath);

    internal Uri RevocationEndpoint => new(Authority!, RevocationPath);
}

/// <summary>Checks <see cref="AppTokenOptions"/> at start (and when an <see cref="AppTokenClient"/> is built by hand).</summary>
public sealed class AppTokenOptionsValidator : IValidateOptions<AppTokenOptions>
{
    public ValidateOptionsResult Validate(string? name, AppTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [];
        if (options.Authority is not { IsAbsoluteUri: true } authority || (authority.Scheme != Uri.UriSchemeHttps && !options.AllowInsecureHttp))
        {
            failures.Add("Authority must be an absolute https URL (AllowInsecureHttp only for local development).");
        }

        if (!IsRelativePath(options.TokenPath) || !IsRelativePath(options.RevocationPath))
        {
            failures.Add("TokenPath and RevocationPath must be paths starting with '/'.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add("ClientId is required.");
        }

        if (options.RefreshBeforeExpiry < TimeSpan.Zero || options.RefreshRetryDelay < TimeSpan.Zero || options.TokenRequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("RefreshBeforeExpiry and RefreshRetryDelay must not be negative, TokenRequestTimeout must be positive.");
        }

        if (options.RefreshAttempts is < 1 or > 5)
        {
            failures.Add("RefreshAttempts must be between 1 and 5.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsRelativePath(string path) => path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal);
}
