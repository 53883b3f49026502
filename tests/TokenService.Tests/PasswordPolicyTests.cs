using Microsoft.Extensions.Options;
using NUnit.Framework;
using TokenService.Passwords;

namespace TokenService.Tests;

public sealed class PasswordPolicyTests
{
    private static readonly PasswordPolicy Policy = new(Options.Create(new PasswordPolicyOptions()));

    [TestCase("correct-horse-battery-staple")]
    [TestCase("Tr0ub4dor&3-extended")]
    [TestCase("пароль-который-длинный")]
    public void A_long_uncommon_password_is_accepted(string password) =>
        Assert.That(Policy.Check(password, "alice@example.com"), Is.Empty);

    [TestCase("short-pass1", "at least 12")]
    [TestCase("qwertyuiop123", "too common")]
    [TestCase("1qaz2wsx3edc", "too common")]
    [TestCase("Password1234!", "too common")]
    [TestCase("monkey123456789", "too common")]
    [TestCase("ALICE@EXAMPLE.COM-and-more", "user name")]
    public void A_weak_password_is_refused_with_the_reason(string password, string reason) =>
        Assert.That(Policy.Check(password, "alice@example.com"), Has.One.Contains(reason));

    [Test]
    public void A_password_beyond_the_maximum_length_is_refused() =>
        Assert.That(Policy.Check(new string('x', 60) + "-unusual-" + new string('y', 60), null), Has.One.Contains("at most 128"));

    [Test]
    public void Length_counts_characters_not_UTF16_units() =>
        Assert.That(Policy.Check("😀😀😀😀😀😀-eleven", null), Is.Empty);
}
