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

    /// <summary>Lanes. Default 1.</summary>
    public int Parallelism { get; set; } = 1;
}
