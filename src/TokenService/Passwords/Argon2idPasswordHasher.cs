using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace TokenService.Passwords;

/// <summary>
/// Argon2id password hashes in the PHC string format
/// (<c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>), so parameters can be raised later and old hashes
/// recognised and upgraded at the next successful login.
/// </summary>
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
        var hash = Compute(password, salt, _options.MemoryKiB, _options.Iterations, _options.Parallelism, HashLength);
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

        var actual = Compute(password, parameters.Salt, parameters.MemoryKiB, parameters.Iterations, parameters.Parallelism, parameters.Hash.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, parameters.Hash))
        {
            return PasswordVerificationResult.Failed;
        }

        var weaker = parameters.MemoryKiB < _options.MemoryKiB
            || parameters.Iterations < _options.Iterations
            || parameters.Parallelism != _options.Parallelism;
        return weaker ? PasswordVerificationResult.SuccessRehashNeeded : PasswordVerificationResult.Success;
    }

    private static byte[] Compute(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            using var argon2 = new Argon2id(passwordBytes)
            {
                Salt = salt,
                MemorySize = memoryKiB,
                Iterations = iterations,
                DegreeOfParallelism = parallelism,
            };
            return argon2.GetBytes(length);
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

        if (memory == 0 || iterations == 0 || parallelism == 0
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
