using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    [TestCase("$argon2id$v=19$m=7,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
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

    [Test]
    public void More_than_one_lane_is_refused_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Passwords:Hashing:Parallelism"] = "2";
        builder.AddPasswords();
        using var host = builder.Build();

        Assert.That(() => host.Services.GetRequiredService<IOptions<PasswordHashingOptions>>().Value, Throws.TypeOf<OptionsValidationException>());
    }

    private static IEnumerable<TestCaseData> StoredByKonscious() =>
    [
        new TestCaseData(StoredHashes.Konscious, PasswordVerificationResult.Success).SetArgDisplayNames("m=19456,t=2,p=1"),
        new TestCaseData(StoredHashes.KonsciousMorePasses, PasswordVerificationResult.Success).SetArgDisplayNames("m=19456,t=3,p=1"),
        new TestCaseData(StoredHashes.KonsciousTwoLanes, PasswordVerificationResult.SuccessRehashNeeded).SetArgDisplayNames("m=19456,t=2,p=2"),
        new TestCaseData(StoredHashes.KonsciousShortSalt, PasswordVerificationResult.SuccessRehashNeeded).SetArgDisplayNames("12-byte salt"),
    ];

    [TestCaseSource(nameof(StoredByKonscious))]
    public void A_hash_stored_by_the_earlier_Konscious_implementation_verifies_with_the_right_password(string stored, PasswordVerificationResult expected)
    {
        Assert.That(Hasher.Verify(stored, StoredHashes.Password), Is.EqualTo(expected));
    }

    [TestCaseSource(typeof(StoredHashes), nameof(StoredHashes.All))]
    public void A_hash_stored_by_the_earlier_Konscious_implementation_fails_with_a_wrong_password(string stored)
    {
        Assert.That(Hasher.Verify(stored, StoredHashes.Password + "!"), Is.EqualTo(PasswordVerificationResult.Failed));
    }
}

/// <summary>
/// Password hashes exactly as the token service stored them before it hashed with libsodium (Konscious 1.3.1,
/// commit c0f3c35), so every hash already in a database keeps verifying.
/// </summary>
internal static class StoredHashes
{
    public const string Password = "correct horse battery staple";

    /// <summary>The defaults then and now: m=19456, t=2, p=1, 16-byte salt.</summary>
    public const string Konscious = "$argon2id$v=19$m=19456,t=2,p=1$17N7fHDsSbvT61fwFjcHew$7ZSXYdk0KFUqs9SxhQE+3YbHuQTYuYp4fbOeTjQ6nuw";

    /// <summary>A stronger cost than today's (t=3): verifies, needs no upgrade.</summary>
    public const string KonsciousMorePasses = "$argon2id$v=19$m=19456,t=3,p=1$qQ6ctVB3BFPnXgPFp7UcrA$Wg9qxMtemk+sUz1a7TPr9UeOPI2HnJ5VLdunsKsmehs";

    /// <summary>Two lanes (<c>Passwords:Hashing:Parallelism</c> = 2 was allowed then): beyond libsodium, verified by Konscious.</summary>
    public const string KonsciousTwoLanes = "$argon2id$v=19$m=19456,t=2,p=2$4ckNtpVTv/XkVr6nxDlHkg$RA7bK73Y0u5SeJM599ZSXc0/0mw9/xPFuFKlmHF6r3s";

    /// <summary>
    /// A 12-byte salt (the format allows any length; the service always made 16): beyond libsodium, verified by Konscious.
    /// Made with Konscious 1.3.1 directly, encoded as the service encoded.
    /// </summary>
    public const string KonsciousShortSalt = "$argon2id$v=19$m=19456,t=2,p=1$rmHpjdSb53VWfFmN$BRtrbngYnt+1QY1JB9t/aez9N74zIPmQz7WGLS+erfc";

    public static readonly string[] All = [Konscious, KonsciousMorePasses, KonsciousTwoLanes, KonsciousShortSalt];
}
