namespace TokenService.RefreshTokens;

/// <summary>
/// One sign-in on one device (the session, <c>sid</c> in access tokens): every refresh token rotated from that
/// sign-in belongs to it. Its absolute lifetime runs from <see cref="CreatedAt"/>; revoking it ends the session.
/// </summary>
public sealed class RefreshTokenFamily
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string ClientId { get; set; }

    /// <summary>Scopes granted at sign-in; a refresh may narrow them, never widen them.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Audiences granted at sign-in.</summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>How the user authenticated (<c>amr</c>), carried into every access token of the session.</summary>
    public List<string> AuthenticationMethods { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUsedAt { get; set; }

    /// <summary>Client IP at sign-in or last refresh, for the sessions list.</summary>
    public string? IpAddress { get; set; }

    /// <summary>User agent at sign-in or last refresh (truncated), for the sessions list.</summary>
    public string? UserAgent { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedReason { get; set; }
}
