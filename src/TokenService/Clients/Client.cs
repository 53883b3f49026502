namespace TokenService.Clients;

/// <summary>An OAuth client: a mobile app (public, no secret) or a service (confidential, hashed secret).</summary>
public sealed class Client
{
    public required string ClientId { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>SHA-256 of the client secret (secrets are long random strings); null for public clients.</summary>
    public byte[]? SecretHash { get; set; }

    /// <summary>Grant types this client may use, e.g. <c>password</c>, <c>client_credentials</c>.</summary>
    public List<string> AllowedGrantTypes { get; set; } = [];

    /// <summary>Scopes this client may ask for; a request without <c>scope</c> gets all of them.</summary>
    public List<string> AllowedScopes { get; set; } = [];

    /// <summary>Audiences (resource servers) this client's tokens may name; a request without <c>resource</c> gets all of them.</summary>
    public List<string> AllowedAudiences { get; set; } = [];

    /// <summary>
    /// After a secret rotation with an overlap: SHA-256 of the previous secret, which authenticates too until
    /// <see cref="PreviousSecretExpiresAt"/>, so services can move to the new secret without downtime.
    /// </summary>
    public byte[]? PreviousSecretHash { get; set; }

    /// <summary>When the previous secret stops authenticating; null when there is none.</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>A disabled client authenticates nowhere (<c>invalid_client</c>); disabling it ends its sessions.</summary>
    public bool IsDisabled { get; set; }

    public bool IsConfidential => SecretHash is not null;
}
