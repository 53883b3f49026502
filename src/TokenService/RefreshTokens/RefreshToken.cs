namespace TokenService.RefreshTokens;

/// <summary>
/// One refresh token, stored only as the SHA-256 of its opaque value. Single use: consuming it records when and
/// which successor replaced it; for the grace period the successor's response is kept sealed so a lost response
/// can be answered again.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public Guid FamilyId { get; set; }

    public RefreshTokenFamily Family { get; set; } = null!;

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Idle expiry; never later than the family's absolute expiry.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? ConsumedAt { get; set; }

    public Guid? SuccessorId { get; set; }

    /// <summary>The successor's token response, sealed with the key-encryption key; cleared after the grace period.</summary>
    public byte[]? GraceResponse { get; set; }
}
