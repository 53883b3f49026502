using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace TokenService.Passwords;

/// <summary>
/// Argon2id password hashes in the PHC string format
/// (<c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>), so parameters can be raised later and old hashes
/// recognised and upgraded at the next successful login.
/// </summary>
/// <remarks>
/// Computed by libsodium (through NSec): its Argon2id takes fresh native memory for each hash and gives it back to the
/// kernel when the hash ends, so a hash holds exactly its memory cost while it runs and nothing after, whatever the
/// garbage collector does. libsodium computes one lane with a 16-byte salt; a hash stored with more lanes or another salt length (made
/// when <see cref="PasswordHashingOptions.Parallelism"/> could be raised) is verified by the managed Konscious
/// implementation instead and asks to be re-hashed, so it is replaced at the next successful sign-in.
/// </remarks>
public sealed class Argon2idPasswordHasher
{
    private const int SaltLength = 16;
    private const int HashLength = 32;
    private const string Prefix = "$argon2id$v=19$";

    private readonly PasswordHashingOptions _options;
    private readonly Lazy<string> _dummyHash;

    public Argon2idPasswordHasher(IOptions<PasswordHashingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _dummyHash = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }

    /// <summary>
    /// A hash of a random password at today's parameters. Verifying against it costs exactly what a real
    /// verification costs, so an unknown user cannot be told apart by timing.
    /// </summary>
    public string DummyHash => _dummyHash.Value;

    public string Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var hash = Compute(password, salt, _options.MemoryKiB, _options.Iterations, HashLength);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}m={_options.MemoryKiB},t={_options.Iterations},p={_options.Parallelism}${Encode(salt)}${Encode(hash)}");
    }

    public PasswordVerificationResult Verify(string encodedHash, string password)
    {
        ArgumentNullException.ThrowIfNull(encodedHash);
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length == 0 || !TryParse(encodedHash, out var parameters))
        {
            return PasswordVerificationResult.Failed;
        }

        var libsodium = parameters.Parallelism == 1 && parameters.Salt.Length == SaltLength;
        var actual = libsodium
            ? Compute(password, parameters.Salt, parameters.MemoryKiB, parameters.Iterations, parameters.Hash.Length)
            : ComputeLegacy(password, parameters);
        if (!CryptographicOperations.FixedTimeEquals(actual, parameters.Hash))
        {
            return PasswordVerificationResult.Failed;
        }

        var rehash = !libsodium
            || parameters.MemoryKiB < _options.MemoryKiB
            || parameters.Iterations < _options.Iterations;
        return rehash ? PasswordVerificationResult.SuccessRehashNeeded : PasswordVerificationResult.Success;
    }

    private static byte[] Compute(string password, byte[] salt, int memoryKiB, int iterations, int length)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKiB,
            NumberOfPasses = iterations,
        });
        return WithPasswordBytes(password, bytes => algorithm.DeriveBytes(bytes, salt, length));
    }

    /// <summary>A hash libsodium cannot compute (more than one lane, or a salt not of 16 bytes), by Konscious.</summary>
    private static byte[] ComputeLegacy(string password, HashParameters parameters) =>
        WithPasswordBytes(password, bytes =>
        {
            using var argon2 = new Konscious.Security.Cryptography.Argon2id(bytes)
            {
                Salt = parameters.Salt,
                MemorySize = parameters.MemoryKiB,
                Iterations = parameters.Iterations,
                DegreeOfParallelism = parameters.Parallelism,
            };
            return argon2.GetBytes(parameters.Hash.Length);
        });

    /// <summary>Derives from the password's UTF-8 bytes, which are zeroed afterwards.</summary>
    private static byte[] WithPasswordBytes(string password, Func<byte[], byte[]> derive)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return derive(passwordBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    private static bool TryParse(string encoded, out HashParameters parameters)
    {
        parameters = default;
        if (!encoded.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = encoded[Prefix.Length..].Split('$');
        if (parts.Length != 3)
        {
            return false;
        }

        int memory = 0, iterations = 0, parallelism = 0;
        foreach (var pair in parts[0].Split(','))
        {
            var (key, value) = (pair.Split('=') is [var k, var v] ? (k, v) : ("", ""));
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
            {
                return false;
            }

            switch (key)
            {
                case "m": memory = number; break;
                case "t": iterations = number; break;
                case "p": parallelism = number; break;
                default: return false;
            }
        }

        // RFC 9106: at least 8 KiB of memory per lane.
        if (memory == 0 || iterations == 0 || parallelism == 0 || memory < 8L * parallelism
            || !TryDecode(parts[1], out var salt) || !TryDecode(parts[2], out var hash) || hash.Length < 16)
        {
            return false;
        }

        parameters = new HashParameters(memory, iterations, parallelism, salt, hash);
        return true;
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }

    private readonly record struct HashParameters(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash);
}
