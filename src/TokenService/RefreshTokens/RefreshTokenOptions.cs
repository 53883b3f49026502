namespace TokenService.RefreshTokens;

/// <summary>Bound from <c>RefreshTokens</c>.</summary>
public sealed class RefreshTokenOptions
{
    public const string SectionName = "RefreshTokens";

    internal static readonly TimeSpan MaximumGracePeriod = TimeSpan.FromMinutes(2);

    /// <summary>A session ends this long after sign-in, however often it refreshes. Default 30 days.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A refresh token unused for this long expires. Default 7 days; at most <see cref="AbsoluteLifetime"/>.</summary>
    public TimeSpan IdleLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long the immediately previous refresh token may be presented again and get the same answer (a lost
    /// response on a mobile network, or parallel refreshes). Default 30 seconds; at most 2 minutes; 0 turns it off.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often expired tokens and spent grace responses are cleaned up. Default 10 minutes.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long revoked and expired sessions stay visible before cleanup deletes them. Default 7 days.</summary>
    public TimeSpan RetainEndedSessionsFor { get; set; } = TimeSpan.FromDays(7);
}
