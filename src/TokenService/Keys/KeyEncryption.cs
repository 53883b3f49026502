using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TokenService.Keys;

/// <summary>Seals private keys with the key-encryption key (AES-256-GCM, the key id as associated data).</summary>
public sealed class KeyEncryption
{
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly byte[] _key;

    public KeyEncryption(IOptions<SigningKeyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = Convert.FromBase64String(options.Value.KeyEncryptionKey);
    }

    public byte[] Seal(string keyId, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[NonceLength + plaintext.Length + TagLength];
        var nonce = sealedBytes.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagLength);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceLength, plaintext.Length),
            sealedBytes.AsSpan(NonceLength + plaintext.Length), Encoding.UTF8.GetBytes(keyId));
        return sealedBytes;
    }

    /// <summary>Opens a sealed key; throws <see cref="CryptographicException"/> if it was altered or sealed with another key.</summary>
    public byte[] Open(string keyId, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < NonceLength + TagLength)
        {
            throw new CryptographicException("Sealed key is too short.");
        }

        var plaintext = new byte[sealedBytes.Length - NonceLength - TagLength];
        using var aes = new AesGcm(_key, TagLength);
        aes.Decrypt(sealedBytes[..NonceLength], sealedBytes.Slice(NonceLength, plaintext.Length),
            sealedBytes[^TagLength..], plaintext, Encoding.UTF8.GetBytes(keyId));
        return plaintext;
    }

    internal static bool IsValidKey(string base64)
    {
        var buffer = new byte[32];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written == 32;
    }
}
