using Microsoft.Extensions.Options;

namespace TokenService.Passwords;

/// <summary>
/// Bounds how many Argon2id hashes run at once (each holds its full memory cost) and how many wait, so a sign-in
/// flood cannot exhaust memory: excess work is refused at once, and waiting work gives up after
/// <see cref="PasswordHashingOptions.MaxQueueWait"/>, both with <see cref="PasswordHashingOverloadedException"/>
/// (answered 503 with <c>Retry-After</c>).
/// </summary>
/// <remarks>
/// A request takes its <see cref="Place"/> in line (<see cref="Reserve"/>) before it does any other work for the
/// hash, such as reading the user, so a refused request costs almost nothing and the work before the hash runs for
/// at most <c>MaxConcurrentHashes + MaxQueuedHashes</c> requests at once.
/// </remarks>
public sealed class PasswordHashingGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _maxInLine;
    private readonly TimeSpan _maxQueueWait;
    private readonly TimeProvider _time;
    private int _inLine;

    public PasswordHashingGate(IOptions<PasswordHashingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _slots = new SemaphoreSlim(settings.MaxConcurrentHashes, settings.MaxConcurrentHashes);
        _maxInLine = settings.MaxConcurrentHashes + settings.MaxQueuedHashes;
        _maxQueueWait = settings.MaxQueueWait;
        _time = time;
    }

    /// <summary>Takes a place in line (hashing or waiting) without waiting; refused at once when the line is full.</summary>
    /// <exception cref="PasswordHashingOverloadedException">The line is full.</exception>
    public Place Reserve()
    {
        if (Interlocked.Increment(ref _inLine) > _maxInLine)
        {
            Interlocked.Decrement(ref _inLine);
            throw new PasswordHashingOverloadedException();
        }

        return new Place(this);
    }

    /// <summary>Takes a place in line and runs <paramref name="hashing"/> once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> hashing, CancellationToken cancellationToken)
    {
        using var place = Reserve();
        return await place.RunAsync(hashing, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _slots.Dispose();

    private async Task<IAsyncDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_maxQueueWait, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PasswordHashingOverloadedException();
        }

        return new Slot(_slots);
    }

    /// <summary>A place in line, held until disposed: any number of hashes, one after another, each once a slot is free.</summary>
    public sealed class Place : IDisposable
    {
        private PasswordHashingGate? _gate;

        internal Place(PasswordHashingGate gate) => _gate = gate;

        /// <summary>Waits for a slot (at most <see cref="PasswordHashingOptions.MaxQueueWait"/>) and holds it until the lease is disposed.</summary>
        /// <exception cref="PasswordHashingOverloadedException">No slot came free in time.</exception>
        public Task<IAsyncDisposable> EnterAsync(CancellationToken cancellationToken) =>
            (_gate ?? throw new ObjectDisposedException(nameof(Place))).EnterAsync(cancellationToken);

        /// <summary>Runs <paramref name="hashing"/> once a slot is free.</summary>
        public async Task<T> RunAsync<T>(Func<T> hashing, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(hashing);
            await using var slot = (await EnterAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return hashing();
        }

        /// <summary>Leaves the line.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _gate, null) is { } gate)
            {
                Interlocked.Decrement(ref gate._inLine);
            }
        }
    }

    private sealed class Slot(SemaphoreSlim slots) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
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
