using System.Net;
using Microsoft.Extensions.Options;
using TokenClients.AppTokens;
using TokenClients.ClientCredentials;

namespace MobileAppSample;

/// <summary>Signs in, calls the APIs from several callers at once for the configured time, prints what happened, signs out.</summary>
public sealed class LoadRun(AppTokenClient session, IHttpClientFactory clients, IOptions<SampleOptions> options, TimeProvider time)
{
    public const string GatewayClientName = "gateway";

    private long _requests;
    private long _failures;
    private int _refreshes;

    /// <summary>Returns the number of failed requests.</summary>
    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        session.Refreshed += (_, _) => Interlocked.Increment(ref _refreshes);
        session.SignedOut += (_, e) => Console.WriteLine($"Signed out: {e.Reason}.");

        await session.SignInAsync(settings.UserName, settings.Password, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"Signed in as {settings.UserName}. {settings.Parallelism} callers for {settings.Duration} on {string.Join(", ", settings.Paths)}.");

        var started = time.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(settings.Duration);
        var http = clients.CreateClient(GatewayClientName);
        var callers = Enumerable.Range(0, settings.Parallelism)
            .Select(caller => CallAsync(http, settings.Paths[caller % settings.Paths.Count], settings.Pause, stop.Token))
            .Append(ReportAsync(started, stop.Token))
            .ToList();
        await Task.WhenAll(callers).ConfigureAwait(false);

        Console.WriteLine($"Done after {time.GetElapsedTime(started):hh\\:mm\\:ss}: {Report()}.");
        await SignOutAsync(cancellationToken).ConfigureAwait(false);
        return Interlocked.Read(ref _failures);
    }

    private async Task SignOutAsync(CancellationToken cancellationToken)
    {
        try
        {
            var confirmed = await session.SignOutAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine(confirmed ? "Signed out; the token service ended the session." : "Signed out here; the token service could not be reached.");
        }
        catch (TokenRequestException exception)
        {
            // E.g. a gateway that does not route the revocation endpoint: the tokens are gone here, the session lives on.
            Console.WriteLine($"Signed out here, but the revocation was refused: {exception.Message}");
        }
    }

    private async Task CallAsync(HttpClient http, string path, TimeSpan pause, CancellationToken stop)
    {
        var uri = new Uri(path, UriKind.Relative);
        while (!stop.IsCancellationRequested)
        {
            var status = await SendAsync(http, uri, stop).ConfigureAwait(false);
            if (status is null)
            {
                return; // stopped mid-request: not counted
            }

            Interlocked.Increment(ref _requests);
            if (status != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref _failures);
                Console.WriteLine($"FAILED GET {path}: {status}");
            }

            try
            {
                await Task.Delay(pause, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The answer's status, 0 for a request that failed without one, null when the run stopped.</summary>
    private static async Task<HttpStatusCode?> SendAsync(HttpClient http, Uri uri, CancellationToken stop)
    {
        try
        {
            using var response = await http.GetAsync(uri, stop).ConfigureAwait(false);
            return response.StatusCode;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception exception) when (exception is HttpRequestException or SignedOutException or OperationCanceledException)
        {
            Console.WriteLine($"FAILED GET {uri}: {exception.GetType().Name}: {exception.Message}");
            return 0;
        }
    }

    private async Task ReportAsync(long started, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                Console.WriteLine($"{time.GetElapsedTime(started):hh\\:mm\\:ss} {Report()}");
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private string Report() =>
        $"{Interlocked.Read(ref _requests)} requests, {Interlocked.Read(ref _failures)} failed, {Volatile.Read(ref _refreshes)} token refreshes";
}
