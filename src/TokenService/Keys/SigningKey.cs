namespace TokenService.Keys;

/// <summary>
/// An RSA signing key. Timeline: published from <see cref="CreatedAt"/>, signs from <see cref="ActivatesAt"/>
/// until a newer key activates, stays published until <see cref="RetiresAt"/> (set when it stops signing).
/// </summary>
public sealed class SigningKey
{
    /// <summary>The JWK <c>kid</c>: random, carries no meaning.</summary>
    public required string KeyId { get; set; }

    public required string Algorithm { get; set; }

    /// <summary>
    /// 1 for the first key, one more for each successor. Unique, so when several instances decide to rotate at
    /// once only one new key is stored.
    /// </summary>
    public int Generation { get; set; }

    /// <summary>SubjectPublicKeyInfo (DER) of the public key.</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>PKCS#8 private key sealed with the key-encryption key (AES-256-GCM: nonce | ciphertext | tag).</summary>
    public required byte[] SealedPrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ActivatesAt { get; set; }

    /// <summary>When the key leaves the JWKS; null while it may still sign or be needed.</summary>
    public DateTimeOffset? RetiresAt { get; set; }
}
