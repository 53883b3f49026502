namespace TokenClients.ClientCredentials;

/// <summary>A service's own identity towards the token service (OAuth 2.0 client_credentials).</summary>
public sealed class ClientCredentialsOptions
{
    /// <summary>The token endpoint, e.g. <c>https://token-service/connect/token</c>. Required; HTTPS unless <see cref="AllowInsecureHttp"/>.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>This service's client id. Required.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>This service's client secret (from a secret store; never logged). Required.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Space-separated scopes to ask for; empty asks for all the client may have.</summary>
    public string Scope { get; set; } = "";

    /// <summary>The audience (RFC 8707 <c>resource</c>) of the API called with the token; empty asks for all the client may have.</summary>
    public string Resource { get; set; } = "";

    /// <summary>A cached token is replaced this long before it expires (but not before half its lifetime). Default 30 seconds.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a failed replacement (the token service unavailable), how long the still-valid token is used before the
    /// next attempt. Default 5 seconds; more than zero.
    /// </summary>
    public TimeSpan RefreshRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Allows a plain-HTTP token endpoint. Default <c>false</c>; loopback development only.</summary>
    public bool AllowInsecureHttp { get; set; }
}
