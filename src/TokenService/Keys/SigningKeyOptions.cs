namespace TokenService.Keys;

/// <summary>Bound from <c>SigningKeys</c>.</summary>
public sealed class SigningKeyOptions
{
    public const string SectionName = "SigningKeys";

    /// <summary>
    /// Base64 of 32 random bytes that seal the private keys at rest (AES-256-GCM). Required; comes from outside
    /// the database (a Kubernetes secret, an environment variable). Losing it makes the stored keys unusable.
    /// </summary>
    public string KeyEncryptionKey { get; set; } = "";

    /// <summary>RSA modulus size in bits. Default 2048; at least 2048.</summary>
    public int RsaKeySize { get; set; } = 2048;

    /// <summary>
    /// How often each instance re-reads the key set from the database and does its part of the rotation.
    /// Default 1 minute. A revoked key may still sign on other instances for up to this long.
    /// </summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a key signs before its successor takes over. Default 30 days.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a new key is published in the JWKS before it signs anything. Default 2 hours. Must be longer than
    /// every validator's key-set refresh interval (gateway and services: <c>TokenVerification:KeyRefreshInterval</c>,
    /// 10 minutes by default), so no validator meets a <c>kid</c> it has not fetched.
    /// </summary>
    public TimeSpan ActivationDelay { get; set; } = TimeSpan.FromHours(2);
}
