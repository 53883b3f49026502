using NUnit.Framework;
using TokenService.Accounts;

namespace TokenService.Tests;

[TestFixture]
public sealed class UserNameNormalizationTests
{
    [TestCase("alice", "ALICE")]
    [TestCase("  Alice ", "ALICE")]
    [TestCase("ａｌｉｃｅ", "ALICE")]
    [TestCase("ﬁona", "FIONA")]
    [TestCase("e\u0301mile", "ÉMILE")]
    public void Names_that_look_the_same_after_compatibility_normalisation_are_one_name(string entered, string normalized)
    {
        Assert.That(UserNames.Normalize(entered), Is.EqualTo(normalized));
    }
}
