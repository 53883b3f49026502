using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Data;

namespace TokenService.Accounts;

/// <summary>
/// Sliding-window limits on sign-in attempts per client address and per address + user name, shared by every
/// instance through the database (three replicas give an address the configured budget, not three times it). An
/// attempt is counted before the password is checked, in one transaction serialised per key (a PostgreSQL advisory
/// lock; SQLite serialises writers), so parallel guesses through any instances cannot outrun the limit; a successful
/// sign-in hands its attempt back.
/// </summary>
internal sealed class LoginRateLimiter(TokenDbContext database, SignInQueries queries, IOptions<LoginRateLimitOptions> options, TimeProvider time)
{
    /// <summary>Counts an attempt (<see cref="LoginAttempt"/>), or refuses it and says when to retry (<c>RetryAfter</c> &gt; 0).</summary>
    public async Task<(LoginAttempt Attempt, TimeSpan RetryAfter)> TryBeginAsync(IPAddress? address, string normalizedUserName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(normalizedUserName);
        var settings = options.Value;
        var addressKey = AddressKey(address);
        (byte[] Key, int Limit)[] limits =
        [
            (Hash(addressKey), settings.PerAddressPermitLimit),
            (Hash($"{addressKey}\n{normalizedUserName}"), settings.PerAddressAndUserPermitLimit),
        ];
        var now = time.GetUtcNow();
        var windowStart = now - settings.Window;

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (database is PostgresTokenDbContext)
        {
            // Both keys' locks in one statement, always the lower key first (PostgreSQL runs a volatile function in the
            // select list after ORDER BY), so two attempts sharing a key never wait on each other crosswise.
            long[] lockKeys = [.. limits.Select(l => BinaryPrimitives.ReadInt64BigEndian(l.Key))];
            await database.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(k) FROM unnest({lockKeys}) AS k ORDER BY k", cancellationToken)
                .ConfigureAwait(false);
        }

        // Both keys' attempts in the window in one read. Attempts on a key are counted one at a time (the lock above;
        // SQLite serialises writers) and one beyond the limit is refused, not stored, so the read stays small.
        var recent = await queries.RecentAttempts(database, limits[0].Key, limits[1].Key, windowStart).ToListAsync(cancellationToken).ConfigureAwait(false);
        var retryAfter = TimeSpan.Zero;
        foreach (var (key, limit) in limits)
        {
            // The newest `limit` attempts in the window: when there are that many, the oldest of them frees a place as it leaves.
            var newest = recent.Where(a => a.KeyHash.AsSpan().SequenceEqual(key)).Select(a => a.At).OrderDescending().Take(limit).ToList();
            if (newest.Count >= limit && newest[^1] + settings.Window - now is var wait && wait > retryAfter)
            {
                retryAfter = wait;
            }
        }

        if (retryAfter > TimeSpan.Zero)
        {
            return (default, retryAfter);
        }

        var attempts = limits.Select(l => new SignInAttempt { Id = Guid.NewGuid(), KeyHash = l.Key, At = now }).ToArray();
        database.SignInAttempts.AddRange(attempts);
        // No savepoint for this save (one round trip less): if it fails, the whole transaction is abandoned anyway, and
        // the context pool's reset turns savepoints back on.
        database.Database.AutoSavepointsEnabled = false;
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        database.Database.AutoSavepointsEnabled = true;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (new LoginAttempt(database, attempts), TimeSpan.Zero);
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

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// A counted attempt. <see cref="GiveBackAsync"/> uncounts it at once (no password was checked);
    /// <see cref="GiveBackOnSave"/> with the context's next save (it succeeded, and the answer is written next).
    /// </summary>
    public readonly struct LoginAttempt
    {
        private readonly TokenDbContext? _database;
        private readonly SignInAttempt[] _attempts;

        internal LoginAttempt(TokenDbContext database, SignInAttempt[] attempts) => (_database, _attempts) = (database, attempts);

        public async Task GiveBackAsync(CancellationToken cancellationToken)
        {
            if (_database is not null)
            {
                Guid[] ids = [.. _attempts.Select(a => a.Id)];
                await _database.SignInAttempts.Where(a => ids.Contains(a.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Deletes the attempt's rows in the same round trip as whatever the context saves next.</summary>
        public void GiveBackOnSave() => _database?.SignInAttempts.RemoveRange(_attempts);
    }
}
