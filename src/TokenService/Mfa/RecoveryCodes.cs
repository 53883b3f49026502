using System.Security.Cryptography;
using System.Text;
using OtpNet;

namespace TokenService.Mfa;

/// <summary>
/// Recovery codes: <see cref="Count"/> per set, each 80 random bits written as 16 base32 characters in groups of
/// four (<c>abcd-efgh-ijkl-mnop</c>). Only SHA-256 hashes are stored; 80 bits make the hashes useless to guess.
/// Input is read case-insensitively, with or without dashes and spaces.
/// </summary>
internal static class RecoveryCodes
{
    public const int Count = 10;
    private const int CodeBytes = 10;
    private const int CodeLength = 16;

    public static string NewCode()
    {
        var text = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(CodeBytes)).ToLowerInvariant();
        return string.Join('-', text.Chunk(4).Select(group => new string(group)));
    }

    /// <summary>The hash a presented code is looked up by, or null when it cannot be a recovery code.</summary>
    public static byte[]? Hash(string presented)
    {
        var normalized = new string([.. presented.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant)]);
        if (normalized.Length != CodeLength || !normalized.All(c => c is (>= 'A' and <= 'Z') or (>= '2' and <= '7')))
        {
            return null;
        }

        return SHA256.HashData(Encoding.ASCII.GetBytes(normalized));
    }
}
