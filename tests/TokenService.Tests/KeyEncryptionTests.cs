using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TokenService.Keys;

namespace TokenService.Tests;

[TestFixture]
public sealed class KeyEncryptionTests
{
    private static KeyEncryption NewEncryption() =>
        new(Options.Create(new SigningKeyOptions { KeyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));

    [Test]
    public void A_sealed_key_opens_to_the_original_bytes()
    {
        var encryption = NewEncryption();
        byte[] secret = [1, 2, 3, 4, 5];

        Assert.That(encryption.Open("kid-1", encryption.Seal("kid-1", secret)), Is.EqualTo(secret));
    }

    [Test]
    public void A_sealed_key_does_not_contain_the_plaintext()
    {
        var secret = RandomNumberGenerator.GetBytes(64);

        Assert.That(Convert.ToHexString(NewEncryption().Seal("kid-1", secret)), Does.Not.Contain(Convert.ToHexString(secret)));
    }

    [Test]
    public void A_tampered_sealed_key_does_not_open()
    {
        var encryption = NewEncryption();
        var sealedKey = encryption.Seal("kid-1", [1, 2, 3]);
        sealedKey[^1] ^= 1;

        Assert.That(() => encryption.Open("kid-1", sealedKey), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void A_sealed_key_does_not_open_under_another_key_id()
    {
        var encryption = NewEncryption();

        Assert.That(() => encryption.Open("kid-2", encryption.Seal("kid-1", [1, 2, 3])), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void A_sealed_key_does_not_open_with_another_key_encryption_key()
    {
        Assert.That(() => NewEncryption().Open("kid-1", NewEncryption().Seal("kid-1", [1, 2, 3])), Throws.InstanceOf<CryptographicException>());
    }
}
