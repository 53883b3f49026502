using Microsoft.Extensions.Options;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// The negative cache of <c>kid</c>s: a <c>kid</c> that no known key has asks for a key-set refresh once; when a
/// fetch that started after it was seen succeeds without it, it is remembered as unknown for
/// <see cref="TokenVerificationOptions.UnknownKeyIdRetention"/>, and tokens naming it are refused without asking
/// again. So a flood of one garbage <c>kid</c> costs at most one fetch, and many garbage <c>kid</c>s at most one per
/// <see cref="TokenVerificationOptions.MinimumKeyRefreshInterval"/> (the configuration manager's limit). A real new
/// key is found by the next fetch that contains it, whoever asked for that fetch. Both the remembered and the
/// awaiting <c>kid</c>s are bounded by <see cref="TokenVerificationOptions.UnknownKeyIdCapacity"/>.
/// </summary>
internal sealed class UnknownKeyIds(IOptions<TokenVerificationOptions> options, TimeProvider time, TokenVerificationMetrics metrics)
{
    /// <summary>The token service's kids are short; a longer one is garbage and not worth a fetch or memory.</summary>
    public const int MaximumKeyIdLength = 128;

    private readonly Lock _gate = new();

    /// <summary>Kids seen since the last fetch that judged them, with the number of fetches started when they were seen.</summary>
    private readonly Dictionary<string, long> _awaiting = new(StringComparer.Ordinal);

    /// <summary>Kids a fetch did not contain, with the time until which they ask for no refresh.</summary>
    private readonly Dictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);

    private long _fetchesStarted;

    /// <summary>Whether a token whose <paramref name="keyId"/> matched no known key may ask for a key-set refresh.</summary>
    public bool MayRequestRefresh(string? keyId)
    {
        var kid = keyId ?? "";
        if (kid.Length > MaximumKeyIdLength)
        {
            metrics.UnknownKeyId(TokenVerificationMetrics.UnknownKeyIdIgnored);
            return false;
        }

        var capacity = options.Value.UnknownKeyIdCapacity;
        lock (_gate)
        {
            if (_unknown.TryGetValue(kid, out var until))
            {
                if (time.GetUtcNow() < until)
                {
                    metrics.UnknownKeyId(TokenVerificationMetrics.UnknownKeyIdIgnored);
                    return false;
                }

                _unknown.Remove(kid);
            }

            if (_awaiting.Count < capacity)
            {
                _awaiting.TryAdd(kid, _fetchesStarted);
            }
        }

        metrics.UnknownKeyId(TokenVerificationMetrics.UnknownKeyIdRefreshRequested);
        return true;
    }

    /// <summary>Called as a fetch starts; pass the result to <see cref="Fetched"/>.</summary>
    public long FetchStarting()
    {
        lock (_gate)
        {
            return ++_fetchesStarted;
        }
    }

    /// <summary>
    /// After fetch number <paramref name="fetch"/> succeeded with <paramref name="keyIds"/>: every awaiting kid seen
    /// before it started and not among them becomes unknown; kids seen while it ran wait for the next fetch.
    /// </summary>
    public void Fetched(long fetch, IEnumerable<string?> keyIds)
    {
        var published = keyIds.Select(kid => kid ?? "").ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var until = now + options.Value.UnknownKeyIdRetention;
        var capacity = options.Value.UnknownKeyIdCapacity;
        lock (_gate)
        {
            foreach (var gone in _unknown.Where(entry => published.Contains(entry.Key) || entry.Value <= now).Select(entry => entry.Key).ToList())
            {
                _unknown.Remove(gone);
            }

            foreach (var (kid, seenAfterFetches) in _awaiting.ToList())
            {
                if (seenAfterFetches >= fetch)
                {
                    continue;
                }

                _awaiting.Remove(kid);
                if (!published.Contains(kid) && _unknown.Count < capacity)
                {
                    _unknown[kid] = until;
                }
            }
        }
    }
}
