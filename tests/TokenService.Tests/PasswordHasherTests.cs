using Microsoft.Extensions.Options;
using NUnit.Framework;
using TokenService.Passwords;

namespace TokenService.Tests;

[TestFixture]
public sealed class PasswordHasherTests
{
    private static readonly Argon2idPasswordHasher Hasher = new(Options.Create(new PasswordHashingOptions()));

    [Test]
    public void A_hash_is_a_self_describing_Argon2id_PHC_string_at_the_OWASP_minimum()
    {
        Assert.That(Hasher.Hash("correct horse"), Does.StartWith("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    [Test]
    public void The_right_password_verifies()
    {
        Assert.That(Hasher.Verify(Hasher.Hash("correct horse"), "correct horse"), Is.EqualTo(PasswordVerificationResult.Success));
    }

    [Test]
    public void A_wrong_password_fails()
    {
        Assert.That(Hasher.Verify(Hasher.Hash("correct horse"), "correct hors"), Is.EqualTo(PasswordVerificationResult.Failed));
    }

    [Test]
    public void Each_hash_has_its_own_salt()
    {
        var first = Hasher.Hash("same password");
        var second = Hasher.Hash("same password");

        Assert.That(first, Is.Not.EqualTo(second));
    }

    [Test]
    public void A_hash_made_with_weaker_parameters_verifies_and_asks_to_be_upgraded()
    {
        var stronger = new Argon2idPasswordHasher(Options.Create(new PasswordHashingOptions { MemoryKiB = 32 * 1024, Iterations = 3 }));

        Assert.That(stronger.Verify(Hasher.Hash("correct horse"), "correct horse"), Is.EqualTo(PasswordVerificationResult.SuccessRehashNeeded));
    }

    [TestCase("")]
    [TestCase("plaintext")]
    [TestCase("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=19456,t=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$not base64!$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("$argon2id$v=19$m=-1,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    public void A_malformed_stored_hash_never_verifies(string stored)
    {
        Assert.That(Hasher.Verify(stored, "anything"), Is.EqualTo(PasswordVerificationResult.Failed));
    }

    [Test]
    public void The_dummy_hash_has_todays_parameters_and_matches_no_guessable_password()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Hasher.DummyHash, Does.StartWith("$argon2id$v=19$m=19456,t=2,p=1$"));
            Assert.That(Hasher.Verify(Hasher.DummyHash, ""), Is.EqualTo(PasswordVerificationResult.Failed));
        });
    }
}
