using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Reliability.Tests;

/// <summary>What a stream of requests got back: status codes, transport errors (resets, refused), slowest answer.</summary>
public sealed class Outcomes
{
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentQueue<string> _transportErrors = new();
    private long _slowestTicks;

    public int Requests => _statuses.Values.Sum() + _transportErrors.Count;

    public int Count(HttpStatusCode status) => _statuses.GetValueOrDefault((int)status);

    /// <summary>Anything but 2xx, and every transport error.</summary>
    public int Failures => _statuses.Where(s => s.Key is < 200 or > 299).Sum(s => s.Value) + _transportErrors.Count;

    public IReadOnlyCollection<string> TransportErrors => _transportErrors;

    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

    public void Record(HttpStatusCode status, TimeSpan elapsed)
    {
        _statuses.AddOrUpdate((int)status, 1, (_, count) => count + 1);
        Slower(elapsed);
    }

    public void RecordTransportError(Exception error, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(error);
        _transportErrors.Enqueue($"{error.GetType().Name}: {error.GetBaseException().Message}");
        Slower(elapsed);
    }

    /// <summary>Sends one request and records what came back; null when it failed in transport.</summary>
    public async Task<HttpResponseMessage?> MeasureAsync(Func<Task<HttpResponseMessage>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        var clock = Stopwatch.StartNew();
        try
        {
            var response = await send().ConfigureAwait(false);
            Record(response.StatusCode, clock.Elapsed);
            return response;
        }
        catch (HttpRequestException error)
        {
            RecordTransportError(error, clock.Elapsed);
            return null;
        }
    }

    public override string ToString()
    {
        var statuses = string.Join(", ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        var errors = _transportErrors.IsEmpty ? "" : $"; transport errors: {string.Join(" | ", _transportErrors.Distinct().Take(5))}";
        return $"{Requests} requests, {Failures} failed ({statuses}){errors}, slowest {Slowest.TotalMilliseconds:F0} ms";
    }

    private void Slower(TimeSpan elapsed)
    {
        var ticks = elapsed.Ticks;
        var seen = Interlocked.Read(ref _slowestTicks);
        while (ticks > seen)
        {
            var previous = Interlocked.CompareExchange(ref _slowestTicks, ticks, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}

/// <summary>
/// Holders of valid access tokens calling the APIs through the entry point without pause (orders and inventory
/// alternately), from several workers, until stopped.
/// </summary>
public sealed class ApiLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;

    private ApiLoad(PlatformClient client, IReadOnlyList<string> accessTokens, int workers)
    {
        _workers = [.. Enumerable.Range(0, workers).Select(worker => Task.Run(() => RunAsync(client, accessTokens[worker % accessTokens.Count], worker)))];
    }

    public Outcomes Outcomes { get; } = new();

    public static ApiLoad Start(PlatformClient client, IReadOnlyList<string> accessTokens, int workers = 6) =>
        new(client, accessTokens, workers);

    /// <summary>Waits until the load has made at least <paramref name="requests"/> more requests.</summary>
    public async Task WhileRunningAsync(int requests)
    {
        var target = Outcomes.Requests + requests;
        while (Outcomes.Requests < target)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public async Task<Outcomes> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
        return Outcomes;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(PlatformClient client, string accessToken, int worker)
    {
        for (var i = worker; !_stop.IsCancellationRequested; i++)
        {
            using var response = await Outcomes.MeasureAsync(
                () => client.GetApiAsync(PlatformClient.ApiPaths[i % PlatformClient.ApiPaths.Length], accessToken)).ConfigureAwait(false);
        }
    }
}
