namespace EndToEnd.Tests.Hostile;

/// <summary>
/// A small seeded generator (SplitMix64) so a fuzzing run can be replayed from its printed seed. Not for
/// secrets: it only decides what garbage to send.
/// </summary>
public sealed class FuzzRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>True with the given probability.</summary>
    public bool Chance(double probability) => (NextUInt64() >> 11) * (1.0 / (1UL << 53)) < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)NextUInt64();
        }

        return bytes;
    }

    /// <summary>A seed for a new run: from <paramref name="configured"/> when given (to replay), else fresh.</summary>
    public static ulong Seed(string? configured) =>
        ulong.TryParse(configured, out var seed) ? seed : BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
}
