namespace ServiceDefaults.TokenVerification;

/// <summary>
/// How a resource server (gateway or service) verifies access tokens. Bound from the <c>TokenVerification</c>
/// configuration section and validated at start.
/// </summary>
public sealed class TokenVerificationOptions
{
    public const string SectionName = "TokenVerification";

    /// <summary>
    /// Base address of the token service as this process reaches it (in Kubernetes: the in-cluster service URL).
    /// Discovery is read from <c>{Authority}/.well-known/openid-configuration</c>, keys from its <c>jwks_uri</c>.
    /// Required. Must be HTTPS unless <see cref="AllowInsecureHttpMetadata"/> is set.
    /// </summary>
    public Uri? Authority { get; set; }

    /// <summary>The exact <c>iss</c> value tokens must carry. Required; no default, so no token is accepted by accident.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The audiences (<c>aud</c>) this process accepts; a token must name at least one. Required.</summary>
    public IList<string> Audiences { get; } = [];

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c>. Default 30 seconds; at most 60 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the key set is re-read from the token service in the background, on the app's clock, also while
    /// no request arrives. Default 10 minutes; at least <see cref="MinimumKeyRefreshInterval"/>. The token service's
    /// <c>SigningKeys:ActivationDelay</c> must exceed it (plus the token service's <c>ReloadInterval</c> and any HTTP
    /// cache in between), so every validator has fetched a new key before it signs. An unknown <c>kid</c> triggers
    /// an earlier refresh, at most once per <see cref="MinimumKeyRefreshInterval"/>.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Least time between two key-set fetches caused by unknown <c>kid</c>s. Default 1 minute; at least 1 second.</summary>
    public TimeSpan MinimumKeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a <c>kid</c> that a fetch made after it was first seen did not contain is remembered as unknown:
    /// tokens naming it are refused without asking for another fetch. Any later fetch that contains it (the
    /// background refresh, or one another <c>kid</c> asked for) makes it valid at once. Default 10 minutes; between
    /// <see cref="MinimumKeyRefreshInterval"/> and 1 day.
    /// </summary>
    public TimeSpan UnknownKeyIdRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// At most this many unknown <c>kid</c>s are remembered (and as many await the next fetch); beyond it new ones
    /// still ask for a refresh, which <see cref="MinimumKeyRefreshInterval"/> keeps bounding. Default 10,000; at
    /// least 1, at most 1,000,000. <c>kid</c>s longer than 128 characters are never the token service's and never
    /// ask for a refresh.
    /// </summary>
    public int UnknownKeyIdCapacity { get; set; } = 10_000;

    /// <summary>
    /// A JWKS document (JSON) to verify with while no key set has ever been fetched from the token service, so the
    /// process can start and serve when the token service is unreachable at boot. Default none. Once a fetch
    /// succeeds it is never used again (a failing token service then leaves the last fetched keys in use). Keep it
    /// to the token service's current public keys; every use is logged as a warning.
    /// </summary>
    public string? FallbackJwks { get; set; }

    /// <summary>
    /// How many already-validated tokens are remembered, so a repeated token skips the RSA verification (every other
    /// check still runs on every request: <c>exp</c>/<c>nbf</c>, the key set it was verified with still current,
    /// the exact token string). A token is remembered once it has been validated twice. Default 2,000; 0 turns the
    /// cache off; at most 1,000,000. Measured: up to ~20 KB of resident memory per entry while it churns (see
    /// docs/performance.md), so size it to the clients one instance serves within a token lifetime.
    /// </summary>
    public int ValidatedTokenCacheSize { get; set; } = 2_000;

    /// <summary>
    /// Allows discovery and JWKS over plain HTTP. Default <c>false</c>. Only for loopback development and tests:
    /// a warning is logged at start whenever it is on.
    /// </summary>
    public bool AllowInsecureHttpMetadata { get; set; }
}
