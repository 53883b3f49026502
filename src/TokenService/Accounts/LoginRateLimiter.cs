using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace TokenService.Accounts;

/// <summary>
/// Sliding-window limits on sign-in attempts per client address and per address + user name, in this instance's
/// memory (each instance counts on its own; the account lockout in the database is shared). An attempt is
/// counted before the password is checked, so parallel guesses cannot outrun the limit; a successful sign-in
/// hands its attempt back.
/// </summary>
internal sealed partial class LoginRateLimiter(IOptions<LoginRateLimitOptions> options, TimeProvider time, ILogger<LoginRateLimiter> logger)
{
    private readonly Dictionary<string, List<DateTimeOffset>> _attempts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Counts an attempt, or refuses it and says when to retry.</summary>
    public bool TryBegin(IPAddress? address, string normalizedUserName, out LoginAttempt attempt, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(normalizedUserName);
        var settings = options.Value;
        var addressKey = AddressKey(address);
        var keys = new[] { (Key: addressKey, Limit: settings.PerAddressPermitLimit), (Key: $"{addressKey}\n{normalizedUserName}", Limit: settings.PerAddressAndUserPermitLimit) };
        var now = time.GetUtcNow();
        var windowStart = now - settings.Window;
        attempt = default;
        retryAfter = TimeSpan.Zero;

        lock (_lock)
        {
            foreach (var (key, limit) in keys)
            {
                if (_attempts.TryGetValue(key, out var times))
                {
                    times.RemoveAll(t => t <= windowStart);
                    if (times.Count >= limit)
                    {
                        retryAfter = TimeSpan.FromTicks(Math.Max(retryAfter.Ticks, (times[0] + settings.Window - now).Ticks));
                    }
                }
            }

            if (retryAfter > TimeSpan.Zero)
            {
                return false;
            }

            if (_attempts.Count + keys.Length > settings.MaxTrackedKeys)
            {
                DropExpired(windowStart);
            }

            foreach (var (key, _) in keys)
            {
                if (_attempts.TryGetValue(key, out var times))
                {
                    times.Add(now);
                }
                else if (_attempts.Count < settings.MaxTrackedKeys)
                {
                    _attempts[key] = [now];
                }
                else
                {
                    LogUntracked(logger);
                }
            }
        }

        attempt = new LoginAttempt(this, [keys[0].Key, keys[1].Key], now);
        return true;
    }

    /// <summary>Uncounts an attempt.</summary>
    private void Return(string[] keys, DateTimeOffset at)
    {
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (_attempts.TryGetValue(key, out var times) && times.Remove(at) && times.Count == 0)
                {
                    _attempts.Remove(key);
                }
            }
        }
    }

    private void DropExpired(DateTimeOffset windowStart)
    {
        foreach (var (key, times) in _attempts.ToArray())
        {
            if (times.Count == 0 || times[^1] <= windowStart)
            {
                _attempts.Remove(key);
            }
        }
    }

    /// <summary>IPv4 addresses count one by one; IPv6 per /64, the smallest block one subscriber normally holds.</summary>
    internal static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Sign-in rate limiter is full; an attempt went untracked (account lockout still applies).")]
    private static partial void LogUntracked(ILogger logger);

    /// <summary>A counted attempt; <see cref="GiveBack"/> uncounts it (it succeeded, or no password was checked).</summary>
    public readonly struct LoginAttempt
    {
        private readonly LoginRateLimiter? _limiter;
        private readonly string[] _keys;
        private readonly DateTimeOffset _at;

        internal LoginAttempt(LoginRateLimiter limiter, string[] keys, DateTimeOffset at) => (_limiter, _keys, _at) = (limiter, keys, at);

        public void GiveBack() => _limiter?.Return(_keys, _at);
    }
}
