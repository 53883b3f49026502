using System.Net;
using System.Net.Sockets;

namespace Reliability.Tests;

/// <summary>
/// A layer-4 round-robin load balancer on 127.0.0.1, standing in for the cluster's entry point (Ingress controller)
/// and for a Kubernetes Service (kube-proxy): each accepted connection goes to the next destination and stays with
/// it; bytes are copied both ways, and a close on one side is passed on to the other.
///
/// Like a Service, which sends new connections only to ready endpoints, it probes every destination's
/// <c>/health/ready</c> a few times a second and sends new connections to ready ones (to all when none is). A
/// stopping instance drains first (<c>Shutdown:DrainDelay</c>): it reports not-ready, so new connections go elsewhere,
/// and it answers with <c>Connection: close</c>, so open connections end cleanly after a response and clients
/// reconnect through the balancer. When an instance is gone (killed, or stopped listening), the connect is refused;
/// a refused connect has sent nothing, so the balancer tries the next destination — safe for every request,
/// idempotent or not.
/// </summary>
public sealed class TcpLoadBalancer : IAsyncDisposable
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<int> _destinations;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private readonly Task _probing;
    private readonly bool[] _ready;
    private int _next;
    private long _refusedConnects;

    public TcpLoadBalancer(string name, IReadOnlyList<int> destinationPorts)
    {
        Name = name;
        _destinations = destinationPorts;
        _ready = [.. destinationPorts.Select(_ => true)];
        _listener.Start();
        _accepting = AcceptAsync();
        _probing = ProbeAsync();
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>Connection attempts a destination refused, each retried on the next one.</summary>
    public long RefusedConnects => Interlocked.Read(ref _refusedConnects);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _probing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] open;
        lock (_gate)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = ForwardAsync(client);
            lock (_gate)
            {
                _connections.RemoveAll(task => task.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        client.NoDelay = true;
        using (client)
        {
            using var upstream = await ConnectToNextAsync().ConfigureAwait(false);
            if (upstream is null)
            {
                return; // every destination refused: the client sees the connection closed, as with no endpoints
            }

            upstream.NoDelay = true;
            await Task.WhenAll(CopyAsync(client, upstream), CopyAsync(upstream, client)).ConfigureAwait(false);
        }
    }

    private async Task<Socket?> ConnectToNextAsync()
    {
        var first = Interlocked.Increment(ref _next);
        var order = Enumerable.Range(0, _destinations.Count).Select(attempt => (int)((uint)(first + attempt) % (uint)_destinations.Count)).ToList();
        foreach (var index in order.Where(i => Volatile.Read(ref _ready[i])).Concat(order.Where(i => !Volatile.Read(ref _ready[i]))))
        {
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _destinations[index], _stopping.Token).ConfigureAwait(false);
                return upstream;
            }
            catch (SocketException)
            {
                upstream.Dispose();
                Interlocked.Increment(ref _refusedConnects);
            }
            catch (OperationCanceledException)
            {
                upstream.Dispose();
                return null;
            }
        }

        return null;
    }

    private async Task ProbeAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        while (!_stopping.IsCancellationRequested)
        {
            await Task.WhenAll(_destinations.Select(async (port, index) =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"), _stopping.Token).ConfigureAwait(false);
                    Volatile.Write(ref _ready[index], response.IsSuccessStatusCode);
                }
                catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
                {
                    Volatile.Write(ref _ready[index], false);
                }
            })).ConfigureAwait(false);
            await Task.Delay(ProbeInterval, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Copies until the source closes its sending side, then closes ours towards the other end.</summary>
    private async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side reset or went away: pass it on as a reset, as a real balancer would.
            from.Close(0);
            to.Close(0);
        }
    }
}
