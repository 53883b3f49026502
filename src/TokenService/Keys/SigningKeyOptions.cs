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

    /// <summary>How often each instance re-reads the key set from the database. Default 1 minute.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromMinutes(1);
}
