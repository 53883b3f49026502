namespace Gateway.Limits;

/// <summary>
/// Bound from <c>Gateway:RequestTimeouts</c>; read at start. How long a request may take in all, and how slowly a
/// client may send its body or read the response. With <c>Kestrel:Limits:RequestHeadersTimeout</c> (headers) and
/// <c>Gateway:Upstreams:ActivityTimeout</c> (a silent service) these bound every phase of a request.
/// </summary>
public sealed class RequestTimeLimitOptions
{
    public const string SectionName = "Gateway:RequestTimeouts";

    /// <summary>
    /// The most one request may take, from its headers to the last byte of the response. Past it the request is
    /// cancelled, upstream too: the caller gets 408 problem details if its own body was still arriving, 504 if the
    /// service had not answered; a response already under way is cut off. Default 60 seconds; 1 second to 10 minutes.
    /// Routes that need longer (large downloads, streaming) should name a longer limit of their own: none does today.
    /// </summary>
    public TimeSpan Request { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The slowest a client may send its request body, in bytes a second averaged from the start, after
    /// <see cref="DataRateGracePeriod"/>; slower, Kestrel closes the connection. Default 240 (Kestrel's own); at least 1.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>The slowest a client may read the response; as <see cref="MinRequestBodyBytesPerSecond"/>. Default 240; at least 1.</summary>
    public double MinResponseBytesPerSecond { get; set; } = 240;

    /// <summary>How long a body or response may run below the minimum rates before they apply. Default 5 seconds; 2 seconds to 1 minute.</summary>
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);
}
