namespace Gateway.RateLimits;

/// <summary>A fixed window: at most <see cref="PermitLimit"/> requests per <see cref="Window"/>, none queued.</summary>
public sealed class FixedWindowLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Bound from <c>Gateway:RateLimits</c>; a valid change applies without a restart (with fresh windows).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    /// <summary>Requests with a valid token, per <c>sub</c> (a user, or a client for client_credentials tokens). Default 600 a minute.</summary>
    public FixedWindowLimit PerSubject { get; set; } = new() { PermitLimit = 600 };

    /// <summary>
    /// Requests without a valid token (anonymous routes, and refused tokens), per client IP address. Default 300 a
    /// minute. The address is the connection's peer, or behind a trusted proxy the client it names
    /// (<c>ForwardedHeaders</c>).
    /// </summary>
    public FixedWindowLimit PerAddress { get; set; } = new() { PermitLimit = 300 };

    /// <summary>
    /// Additionally, requests to routes naming the <c>token-endpoint</c> rate-limiter policy (sign-in), per client IP
    /// address. Default 30 a minute: the tightest limit, as password guessing goes there.
    /// </summary>
    public FixedWindowLimit TokenEndpoint { get; set; } = new() { PermitLimit = 30 };
}
