namespace TokenService.Tokens;

/// <summary>Bound from <c>Tokens</c>.</summary>
public sealed class TokenOptions
{
    public const string SectionName = "Tokens";

    internal static readonly TimeSpan MaximumAccessTokenLifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// The <c>iss</c> of every token and the <c>issuer</c> in discovery: the public base URL clients know the
    /// platform by (normally the gateway's). Required, absolute.
    /// </summary>
    public string Issuer { get; set; } = "";

    /// <summary>Access-token lifetime. Default 5 minutes; at most 1 hour (access tokens cannot be revoked).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);
}
