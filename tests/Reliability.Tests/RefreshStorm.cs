using System.Collections.Concurrent;
using System.Net;

namespace Reliability.Tests;

/// <summary>One signed-in device: the pair it holds now, and every pair it held before.</summary>
public sealed class StormClient(TokenPair signIn)
{
    private readonly List<TokenPair> _history = [signIn];

    public TokenPair Current => _history[^1];

    public IReadOnlyList<TokenPair> History => _history;

    internal void Rotated(TokenPair next) => _history.Add(next);
}

/// <summary>
/// Many devices, each refreshing in rounds: in every round several threads of one device present the same refresh
/// token at once (parallel API calls that all found the token expired), through the entry point and so across
/// gateways and token-service instances. Every thread must get the same new pair (the winner's, or the grace
/// window's copy of it). A lost answer — a transport error or 502/503/504 — is retried with the same refresh token,
/// as the client library does. An <c>invalid_grant</c> means the device was logged out.
/// </summary>
public sealed class RefreshStorm
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    private const int MaxAttempts = 100;

    private readonly PlatformClient _client;
    private readonly ConcurrentQueue<string> _loggedOut = new();
    private int _retries;
    private int _divergentRounds;
    private int _rounds;

    private RefreshStorm(PlatformClient client, IReadOnlyList<StormClient> clients)
    {
        _client = client;
        Clients = clients;
    }

    public IReadOnlyList<StormClient> Clients { get; }

    /// <summary>Every refresh request sent, retries included.</summary>
    public Outcomes Outcomes { get; } = new();

    /// <summary>Answers that were not final (transport error, 502, 503, 504) and were retried.</summary>
    public int Retries => _retries;

    /// <summary>Refreshes refused with <c>invalid_grant</c> (the device was logged out), with the refusal.</summary>
    public IReadOnlyCollection<string> LoggedOut => _loggedOut;

    /// <summary>Rounds in which threads of one device got different pairs.</summary>
    public int DivergentRounds => _divergentRounds;

    public int CompletedRounds => _rounds;

    public static async Task<RefreshStorm> SignInAsync(PlatformClient client, int devices)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pairs = new TokenPair[devices];
        await Parallel.ForAsync(0, devices, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => pairs[i] = await client.SignInAsync().ConfigureAwait(false)).ConfigureAwait(false);
        return new RefreshStorm(client, [.. pairs.Select(pair => new StormClient(pair))]);
    }

    /// <summary>Every device runs <paramref name="rounds"/> rounds of <paramref name="threads"/> parallel refreshes.</summary>
    public Task RunAsync(int rounds, int threads) =>
        Task.WhenAll(Clients.Select(device => Task.Run(async () =>
        {
            for (var round = 0; round < rounds && _loggedOut.IsEmpty; round++)
            {
                await RoundAsync(device, threads).ConfigureAwait(false);
            }
        })));

    public override string ToString() =>
        $"{Clients.Count} devices, {_rounds} rounds; refresh requests: {Outcomes}; {Retries} retried, {DivergentRounds} divergent rounds, {LoggedOut.Count} logged out";

    private async Task RoundAsync(StormClient device, int threads)
    {
        var presented = device.Current.Refresh;
        var answers = await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => RefreshAsync(presented))).ConfigureAwait(false);
        if (answers.Any(answer => answer is null))
        {
            return;
        }

        if (answers.Select(answer => answer!.Refresh).Distinct(StringComparer.Ordinal).Count() != 1)
        {
            Interlocked.Increment(ref _divergentRounds);
        }

        device.Rotated(answers[0]!);
        Interlocked.Increment(ref _rounds);
    }

    private async Task<TokenPair?> RefreshAsync(string refreshToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            using var response = await Outcomes.MeasureAsync(() => _client.RefreshAsync(refreshToken)).ConfigureAwait(false);
            if (response?.StatusCode == HttpStatusCode.OK)
            {
                return await PlatformClient.PairAsync(response).ConfigureAwait(false);
            }

            if (response is not null && response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
            {
                _loggedOut.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
                return null;
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(RetryDelay).ConfigureAwait(false);
        }

        _loggedOut.Enqueue($"no final answer after {MaxAttempts} attempts");
        return null;
    }
}
