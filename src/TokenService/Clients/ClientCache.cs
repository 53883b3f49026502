using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TokenService.Data;

namespace TokenService.Clients;

/// <summary>
/// The client records this instance read last, each kept for <see cref="ClientOptions.CacheLifetime"/>, so a token
/// request pays no database round trip for its client. Only records found in the store are kept (an unknown client id
/// is read every time), at most <see cref="MaximumEntries"/> of them. The records are shared by concurrent requests
/// and never changed: operators' changes load their own tracked copies.
/// </summary>
internal sealed class ClientCache(ClientQueries queries, TimeProvider time, IOptions<ClientOptions> options)
{
    /// <summary>Far more clients than any estate registers; past it, further clients are read every time.</summary>
    internal const int MaximumEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The record of <paramref name="clientId"/> if one was read less than the cache lifetime ago; otherwise null.</summary>
    public Client? Remembered(string clientId) =>
        _entries.TryGetValue(clientId, out var entry) && time.GetUtcNow() - entry.ReadAt < options.Value.CacheLifetime ? entry.Client : null;

    /// <summary>Reads the record of <paramref name="clientId"/> from the store and remembers it (null: no such client).</summary>
    public async Task<Client?> ReadAsync(TokenDbContext database, string clientId, CancellationToken cancellationToken)
    {
        var readAt = time.GetUtcNow();
        var client = await queries.FindClient(database, clientId, cancellationToken).ConfigureAwait(false);
        if (client is null || options.Value.CacheLifetime <= TimeSpan.Zero)
        {
            Forget(clientId);
        }
        else if (_entries.ContainsKey(clientId) || _entries.Count < MaximumEntries)
        {
            _entries[clientId] = new Entry(client, readAt);
        }

        return client;
    }

    /// <summary>Drops the record of <paramref name="clientId"/>: called once a change to the client is committed.</summary>
    public void Forget(string clientId) => _entries.TryRemove(clientId, out _);

    private sealed record Entry(Client Client, DateTimeOffset ReadAt);
}
