using System.Diagnostics.Metrics;

namespace TokenService.RefreshTokens;

/// <summary>Counters of the refresh-token lifecycle (Prometheus names get <c>_total</c> appended).</summary>
public sealed class RefreshTokenMetrics
{
    private readonly Counter<long> _issued;
    private readonly Counter<long> _rotated;
    private readonly Counter<long> _graceRetries;
    private readonly Counter<long> _reuseDetected;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _sessionsRevoked;

    public RefreshTokenMetrics(IMeterFactory meters, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(environment);
        var meter = meters.Create(environment.ApplicationName);
        _issued = meter.CreateCounter<long>("refresh_tokens_issued", description: "Sessions started with a first refresh token.");
        _rotated = meter.CreateCounter<long>("refresh_tokens_rotated", description: "Refresh tokens exchanged for a successor.");
        _graceRetries = meter.CreateCounter<long>("refresh_grace_retries", description: "Repeated refreshes answered with the same pair within the grace period.");
        _reuseDetected = meter.CreateCounter<long>("refresh_reuse_detected", description: "Spent refresh tokens presented again: the session was revoked.");
        _refused = meter.CreateCounter<long>("refresh_refused", description: "Refreshes refused, by reason.");
        _sessionsRevoked = meter.CreateCounter<long>("sessions_revoked", description: "Sessions (refresh-token families) revoked, by reason.");
    }

    public void Issued() => _issued.Add(1);

    public void Rotated() => _rotated.Add(1);

    public void RetriedWithinGrace() => _graceRetries.Add(1);

    public void ReuseDetected() => _reuseDetected.Add(1);

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SessionsRevoked(int count, string reason) => _sessionsRevoked.Add(count, new KeyValuePair<string, object?>("reason", reason));
}
