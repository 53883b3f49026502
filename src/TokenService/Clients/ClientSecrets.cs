using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace TokenService.Clients;

/// <summary>
/// Client secrets are long random strings, so a fast hash is enough to keep them useless if the table leaks;
/// comparisons are constant-time.
/// </summary>
public static class ClientSecrets
{
    /// <summary>Shortest secret accepted when a client is created.</summary>
    public const int MinimumLength = 32;

    /// <summary>Random bytes in a generated secret (256 bits; 43 base64url characters).</summary>
    public const int GeneratedBytes = 32;

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[] storedHash, string presentedSecret) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(presentedSecret));

    /// <summary>A new secret from the system CSPRNG, base64url; shown to the operator once, stored only as its hash.</summary>
    public static (string Secret, byte[] Hash) Generate()
    {
        var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(GeneratedBytes));
        return (secret, Hash(secret));
    }
}
