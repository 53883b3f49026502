namespace TokenService.Passwords;

/// <summary>Argon2id cost, bound from <c>Passwords:Hashing</c>. Defaults are the OWASP minimum; validation refuses less.</summary>
public sealed class PasswordHashingOptions
{
    public const string SectionName = "Passwords:Hashing";

    internal const int MinimumMemoryKiB = 19 * 1024;
    internal const int MinimumIterations = 2;

    /// <summary>Memory per hash in KiB. Default 19456 (19 MiB), the least allowed.</summary>
    public int MemoryKiB { get; set; } = MinimumMemoryKiB;

    /// <summary>Passes over memory. Default 2, the least allowed.</summary>
    public int Iterations { get; set; } = MinimumIterations;

    /// <summary>
    /// Lanes. Default 1, the only value allowed: libsodium computes one lane. Hashes stored with more lanes still
    /// verify, and are re-hashed with one at the next successful sign-in.
    /// </summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>
    /// Hashes computed at once; each holds <see cref="MemoryKiB"/> of memory while it runs. Default: the number of
    /// processors (more would not finish sooner).
    /// </summary>
    public int MaxConcurrentHashes { get; set; } = Environment.ProcessorCount;

    /// <summary>Hashes that may wait for a free slot; beyond that, requests are refused at once with 503. Default 4 per processor.</summary>
    public int MaxQueuedHashes { get; set; } = 4 * Environment.ProcessorCount;

    /// <summary>Longest a hash waits for a slot before its request is refused with 503. Default 2 seconds; at most 30 seconds.</summary>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(2);
}
