using System.Security.Cryptography;
using System.Text;

namespace TokenService.Clients;

/// <summary>
/// Client secrets are long random strings, so a fast hash is enough to keep them useless if the table leaks;
/// comparisons are constant-time.
/// </summary>
public static class ClientSecrets
{
    /// <summary>Shortest secret accepted when a client is created.</summary>
    public const int MinimumLength = 32;

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[] storedHash, string presentedSecret) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(presentedSecret));
}
