using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// Token verification on the meter named after the application: refused tokens by reason, key-set fetches by
/// outcome, and the age and size of the last key set fetched successfully. An age that keeps growing means the
/// token service cannot be reached and the process verifies with keys it already knew.
/// </summary>
public sealed class TokenVerificationMetrics
{
    public const string FailuresInstrument = "token_verification.failures";
    public const string FetchesInstrument = "token_verification.key_set.fetches";
    public const string AgeInstrument = "token_verification.key_set.age";
    public const string KeysInstrument = "token_verification.key_set.keys";
    public const string UnknownKeyIdsInstrument = "token_verification.unknown_key_ids";

    /// <summary>Outcome of an unknown <c>kid</c>: it asked for a key-set refresh (which the minimum interval may still defer).</summary>
    public const string UnknownKeyIdRefreshRequested = "refresh_requested";

    /// <summary>Outcome of an unknown <c>kid</c>: a fetch already showed it is not published (or it is too long to be), so no refresh.</summary>
    public const string UnknownKeyIdIgnored = "ignored";
    public const string CachedTokensInstrument = "token_verification.cache.entries";

    private readonly TimeProvider _time;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _fetches;
    private readonly Counter<long> _unknownKeyIds;
    private readonly object _gate = new();
    private readonly Meter _meter;
    private DateTimeOffset? _lastSuccess;
    private int _keys;

    public TokenVerificationMetrics(IMeterFactory meterFactory, IHostEnvironment environment, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(environment);
        _time = time;
        var meter = _meter = meterFactory.Create(environment.ApplicationName);
        _failures = meter.CreateCounter<long>(FailuresInstrument, unit: "{request}",
            description: "Requests refused by token verification, by reason (missing_token, expired, unknown_key, insufficient_scope, ...).");
        _fetches = meter.CreateCounter<long>(FetchesInstrument, unit: "{fetch}",
            description: "Key-set fetches from the token service (discovery and JWKS), by outcome.");
        _unknownKeyIds = meter.CreateCounter<long>(UnknownKeyIdsInstrument, unit: "{token}",
            description: "Tokens whose kid matched no known key, by outcome: refresh_requested, or ignored (known not to be published).");
        meter.CreateObservableGauge(AgeInstrument, ObserveAge, unit: "s",
            description: "Seconds since the key set was last fetched successfully; absent until the first success.");
        meter.CreateObservableGauge(KeysInstrument, ObserveKeys, unit: "{key}",
            description: "Signing keys in the key set fetched last.");
    }

    /// <summary>Reports how many validated tokens <paramref name="cache"/> holds.</summary>
    internal void ObserveCache(CachingTokenHandler cache) =>
        _meter.CreateObservableGauge(CachedTokensInstrument, () => cache.Count, unit: "{token}",
            description: "Validated access tokens held by the validated-token cache.");

    internal void Refused(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    internal void FetchSucceeded(int keyCount)
    {
        lock (_gate)
        {
            _lastSuccess = _time.GetUtcNow();
            _keys = keyCount;
        }

        _fetches.Add(1, new KeyValuePair<string, object?>("outcome", "success"));
    }

    internal void UnknownKeyId(string outcome) => _unknownKeyIds.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void FetchFailed() => _fetches.Add(1, new KeyValuePair<string, object?>("outcome", "failure"));

    private IEnumerable<Measurement<double>> ObserveAge()
    {
        lock (_gate)
        {
            return _lastSuccess is { } at ? [new Measurement<double>((_time.GetUtcNow() - at).TotalSeconds)] : [];
        }
    }

    private IEnumerable<Measurement<int>> ObserveKeys()
    {
        lock (_gate)
        {
            return _lastSuccess is null ? [] : [new Measurement<int>(_keys)];
        }
    }
}
