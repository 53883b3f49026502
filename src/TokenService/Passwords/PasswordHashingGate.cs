using Microsoft.Extensions.Options;

namespace TokenService.Passwords;

/// <summary>
/// Bounds how many Argon2id hashes run at once (each holds its full memory cost) and how many wait, so a sign-in
/// flood cannot exhaust memory: excess work is refused at once, and waiting work gives up after
/// <see cref="PasswordHashingOptions.MaxQueueWait"/>, both with <see cref="PasswordHashingOverloadedException"/>
/// (answered 503 with <c>Retry-After</c>).
/// </summary>
public sealed class PasswordHashingGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _maxInFlight;
    private readonly TimeSpan _maxQueueWait;
    private readonly TimeProvider _time;
    private int _inFlight;

    public PasswordHashingGate(IOptions<PasswordHashingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _slots = new SemaphoreSlim(settings.MaxConcurrentHashes, settings.MaxConcurrentHashes);
        _maxInFlight = settings.MaxConcurrentHashes + settings.MaxQueuedHashes;
        _maxQueueWait = settings.MaxQueueWait;
        _time = time;
    }

    /// <summary>Runs <paramref name="hashing"/> once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> hashing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashing);
        await using var lease = (await EnterAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return hashing();
    }

    /// <summary>Takes a slot (released when the lease is disposed), waiting in line if the line is not full.</summary>
    public async Task<IAsyncDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _inFlight) > _maxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new PasswordHashingOverloadedException();
        }

        try
        {
            using var timeout = new CancellationTokenSource(_maxQueueWait, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new PasswordHashingOverloadedException();
        }
        catch
        {
            Interlocked.Decrement(ref _inFlight);
            throw;
        }

        return new Lease(this);
    }

    public void Dispose() => _slots.Dispose();

    private void Release()
    {
        _slots.Release();
        Interlocked.Decrement(ref _inFlight);
    }

    private sealed class Lease(PasswordHashingGate gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Too much password hashing is running or waiting; the request should be retried shortly.</summary>
public sealed class PasswordHashingOverloadedException : Exception
{
    /// <summary>What clients are told to wait before retrying.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public PasswordHashingOverloadedException()
        : base("Password hashing is at capacity.")
    {
    }

    public PasswordHashingOverloadedException(string message)
        : base(message)
    {
    }

    public PasswordHashingOverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
