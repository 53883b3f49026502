namespace TokenService.Mfa;

/// <summary>
/// A user's TOTP authenticator (RFC 6238): pending from enrollment until the first code confirms it, then on.
/// At most one per user; starting a new enrollment while pending replaces the secret.
/// </summary>
public sealed class UserMfa
{
    public Guid UserId { get; set; }

    /// <summary>The 20-byte TOTP secret sealed with the key-encryption key (AES-256-GCM, bound to the user id); never stored in clear.</summary>
    public required byte[] SealedSecret { get; set; }

    /// <summary>When the current enrollment (this secret) was started.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the first code confirmed the enrollment; null while pending (MFA is off until then).</summary>
    public DateTimeOffset? EnabledAt { get; set; }

    /// <summary>
    /// The highest TOTP time step accepted so far. A code is accepted only for a later step, by one conditional
    /// UPDATE, so a code is never accepted twice, also not by two instances at once.
    /// </summary>
    public long LastUsedStep { get; set; }
}

/// <summary>A single-use recovery code, stored only as its SHA-256 hash (the code carries 80 random bits).</summary>
public sealed class MfaRecoveryCode
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required byte[] CodeHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the code was used to sign in; a used code is refused.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// The state between a correct password and the second factor: the <c>mfa_token</c> (stored as its SHA-256
/// hash) is bound to the user, the client and the access the password request resolved, lives
/// <see cref="MfaOptions.ChallengeLifetime"/>, is consumed by the first correct code and dies after
/// <see cref="MfaOptions.MaxCodeAttempts"/> attempts.
/// </summary>
public sealed class MfaChallenge
{
    public Guid Id { get; set; }

    public required byte[] TokenHash { get; set; }

    public Guid UserId { get; set; }

    public required string ClientId { get; set; }

    public List<string> Scopes { get; set; } = [];

    public List<string> Audiences { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Codes presented with this token so far (counted before each is checked).</summary>
    public int Attempts { get; set; }

    public DateTimeOffset? ConsumedAt { get; set; }
}
