using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace TokenService.RefreshTokens;

/// <summary>Opaque refresh-token values: 256 random bits, base64url; stored and looked up only by SHA-256.</summary>
internal static class RefreshTokenValues
{
    private const int ValueBytes = 32;
    private const int EncodedLength = 43;

    public static (string Value, byte[] Hash) Create()
    {
        var bytes = RandomNumberGenerator.GetBytes(ValueBytes);
        return (Base64UrlEncoder.Encode(bytes), SHA256.HashData(bytes));
    }

    /// <summary>The hash to look a presented value up by, or false when it cannot be one of ours.</summary>
    public static bool TryHash(string presented, out byte[] hash)
    {
        hash = [];
        if (presented.Length != EncodedLength)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64UrlEncoder.DecodeBytes(presented);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length != ValueBytes)
        {
            return false;
        }

        hash = SHA256.HashData(bytes);
        return true;
    }
}
