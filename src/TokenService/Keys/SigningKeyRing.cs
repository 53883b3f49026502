using Microsoft.IdentityModel.Tokens;

namespace TokenService.Keys;

/// <summary>
/// This instance's in-memory view of the signing keys, replaced as a whole by <see cref="SigningKeyManager"/>.
/// Readers never lock: they take the current snapshot.
/// </summary>
public sealed class SigningKeyRing
{
    private volatile LoadedSigningKey[] _keys = [];

    /// <summary>The signing credentials for a token issued now.</summary>
    public SigningCredentials? ActiveCredentials(DateTimeOffset now) => Active(now)?.Credentials;

    /// <summary>The key that signs now: the newest key whose activation time has passed.</summary>
    public LoadedSigningKey? Active(DateTimeOffset now)
    {
        LoadedSigningKey? active = null;
        foreach (var key in _keys)
        {
            if (key.IsPublished(now) && key.ActivatesAt <= now && (active is null || key.IsNewerThan(active)))
            {
                active = key;
            }
        }

        return active;
    }

    /// <summary>The public keys to publish in the JWKS: pending, active and retiring ones.</summary>
    public IEnumerable<LoadedSigningKey> PublishedKeys(DateTimeOffset now) => _keys.Where(key => key.IsPublished(now));

    internal IReadOnlyList<LoadedSigningKey> Keys => _keys;

    internal void Replace(LoadedSigningKey[] keys) => _keys = keys;
}

/// <summary>A key as held in memory: the RSA key ready to sign and its public parameters.</summary>
public sealed class LoadedSigningKey(string keyId, DateTimeOffset activatesAt, DateTimeOffset? retiresAt, RsaSecurityKey privateKey)
{
    public string KeyId { get; } = keyId;

    public DateTimeOffset ActivatesAt { get; } = activatesAt;

    public DateTimeOffset? RetiresAt { get; } = retiresAt;

    public SigningCredentials Credentials { get; } = new(privateKey, SecurityAlgorithms.RsaSha256);

    /// <summary>Public parameters only (modulus and exponent): nothing private can leak from here.</summary>
    public (string Modulus, string Exponent) PublicParameters { get; } = PublicParts(privateKey);

    public bool IsPublished(DateTimeOffset now) => RetiresAt is null || RetiresAt > now;

    internal bool IsNewerThan(LoadedSigningKey other) =>
        ActivatesAt > other.ActivatesAt || (ActivatesAt == other.ActivatesAt && string.CompareOrdinal(KeyId, other.KeyId) > 0);

    private static (string, string) PublicParts(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return (Base64UrlEncoder.Encode(parameters.Modulus), Base64UrlEncoder.Encode(parameters.Exponent));
    }
}
