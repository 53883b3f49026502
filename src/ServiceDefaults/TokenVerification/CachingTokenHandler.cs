using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ServiceDefaults.TokenVerification;

/// <summary>
/// JwtBearer's token handler with a bounded cache of tokens it has already validated in full, so a client that
/// repeats its token (as apps do for the token's lifetime) costs one RSA verification per key-set generation
/// instead of one per request.
/// <list type="bullet">
/// <item>Keyed by the whole token string: a token differing in any character (a tampered signature, payload or
/// header) is a miss and is validated in full; failures are never cached.</item>
/// <item>Every hit re-checks <c>exp</c> and <c>nbf</c> (with the clock skew); a remembered token outside its
/// lifetime is refused as expired or not yet valid.</item>
/// <item>An entry belongs to the key-set configuration that was current when it was validated; any new key set (a
/// refresh, a key withdrawn) makes every older entry a miss at once, and the cache is emptied.</item>
/// <item>Only a token validated a second time is remembered (the first time only a hash of it is noted, in a fixed
/// table where a newer hash overwrites an older one in the same slot: no lock, no allocation), so a flood of distinct
/// tokens, which will never repeat, does not churn the cache.</item>
/// <item>At most <c>capacity</c> entries: expired entries are swept when it fills up, and if it is still full it
/// is emptied. Lookups are lock-free.</item>
/// </list>
/// Each hit returns its own copy of the identity, so nothing one request does to it reaches another. A token carrying
/// a key-referencing header (<see cref="KeyReferencingHeaders"/>) is never remembered: JwtBearer refuses it after
/// validation, and a hit through <see cref="RememberedIdentity"/> skips that step.
/// </summary>
internal sealed class CachingTokenHandler : JsonWebTokenHandler
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _entriesBySpan;
    private readonly int[] _seenOnce;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private object? _configuration;
    private int _count;
    private int _sweeping;

    public CachingTokenHandler(int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _seenOnce = new int[BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _entriesBySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        _time = time;
        MapInboundClaims = false;
    }

    /// <summary>Entries held now (approximate while requests are being served).</summary>
    public int Count => Volatile.Read(ref _count);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        // The key set validation uses: the handler reads it from the configuration manager when JwtBearer passes one,
        // else JwtBearer has put the configuration's own key collection (one object per key-set generation) here.
        object? configuration = validationParameters.ConfigurationManager is { } manager
            ? await manager.GetBaseConfigurationAsync(CancellationToken.None).ConfigureAwait(false)
            : validationParameters.IssuerSigningKeys;
        ForgetOlderKeySets(configuration);
        var now = _time.GetUtcNow().UtcDateTime;
        if (token is not null && _entries.TryGetValue(token, out var cached))
        {
            if (ReferenceEquals(cached.Configuration, configuration))
            {
                return cached.ToResult(now, validationParameters.ClockSkew);
            }

            Remove(token, cached);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && result.SecurityToken is JsonWebToken validated && result.ClaimsIdentity is { } identity
            && !KeyReferencingHeaders.CarriedBy(validated) && SeenBefore(token!))
        {
            Add(token!, new Entry(validated, identity, result.Issuer, configuration, validated.ValidFrom, validated.ValidTo), now);
        }

        return result;
    }

    /// <summary>
    /// A copy of the identity of <paramref name="token"/> when it is remembered for <paramref name="configuration"/>
    /// (the key set's <c>SigningKeys</c>, as JwtBearer hands them to validation) and is within its lifetime now, so the
    /// request needs no validation at all; otherwise null, and the token goes through JwtBearer's full validation,
    /// which refuses it properly (expired, not yet valid) or validates it. No allocation but the copy.
    /// </summary>
    public ClaimsIdentity? RememberedIdentity(ReadOnlySpan<char> token, object? configuration, TimeSpan skew) =>
        _entriesBySpan.TryGetValue(token, out var entry) && ReferenceEquals(entry.Configuration, configuration)
            && entry.OutsideLifetime(_time.GetUtcNow().UtcDateTime, skew) is null
            ? entry.Identity.Clone()
            : null;

    /// <summary>
    /// Whether the token's hash was noted before (and forgets it); otherwise notes it. A slot per hash (its low bits), so two
    /// tokens landing in the same slot only delay each other's admission, and the table's size never changes.
    /// </summary>
    private bool SeenBefore(string token)
    {
        // The hash is randomised per process, so callers cannot aim at a slot; the mark is never 0 (an empty slot).
        var hash = StringComparer.Ordinal.GetHashCode(token);
        var mark = hash | 1;
        ref var slot = ref _seenOnce[hash & (_seenOnce.Length - 1)];
        if (Interlocked.CompareExchange(ref slot, 0, mark) == mark)
        {
            return true;
        }

        Volatile.Write(ref slot, mark);
        return false;
    }

    private void ForgetOlderKeySets(object? configuration)
    {
        var known = Volatile.Read(ref _configuration);
        if (!ReferenceEquals(known, configuration)
            && ReferenceEquals(Interlocked.CompareExchange(ref _configuration, configuration, known), known))
        {
            Clear();
        }
    }

    private void Add(string token, Entry entry, DateTime now)
    {
        if (Volatile.Read(ref _count) >= _capacity)
        {
            MakeRoom(now);
        }

        if (_entries.TryAdd(token, entry))
        {
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>One caller at a time sweeps out what has expired; if that frees nothing, the cache starts over.</summary>
    private void MakeRoom(DateTime now)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var (token, entry) in _entries)
            {
                if (entry.ValidTo <= now)
                {
                    Remove(token, entry);
                }
            }

            if (Volatile.Read(ref _count) >= _capacity)
            {
                Clear();
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Remove(string token, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, Entry>(token, entry)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private void Clear()
    {
        foreach (var (token, entry) in _entries)
        {
            Remove(token, entry);
        }
    }

    private sealed record Entry(
        JsonWebToken Token, ClaimsIdentity Identity, string? Issuer, object? Configuration, DateTime ValidFrom, DateTime ValidTo)
    {
        /// <summary>The remembered result when <paramref name="now"/> is within the token's lifetime, else a refusal.</summary>
        public TokenValidationResult ToResult(DateTime now, TimeSpan skew) => OutsideLifetime(now, skew) is { } refusal
            ? new TokenValidationResult { IsValid = false, Exception = refusal, SecurityToken = Token }
            : new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = Token,
                ClaimsIdentity = Identity.Clone(),
                Issuer = Issuer,
                TokenType = Token.Typ,
            };

        /// <summary>Why the token is refused at <paramref name="now"/> (expired, not yet valid), or null within its lifetime.</summary>
        public Exception? OutsideLifetime(DateTime now, TimeSpan skew) =>
            now >= ValidTo + skew ? new SecurityTokenExpiredException("The cached token has expired.") { Expires = ValidTo }
            : ValidFrom != DateTime.MinValue && now < ValidFrom - skew ? new SecurityTokenNotYetValidException("The cached token is not yet valid.") { NotBefore = ValidFrom }
            : null;
    }
}
