using System.Security.Claims;
using NUnit.Framework;
using ServiceDefaults.Authorization;

namespace Gateway.Tests;

/// <summary>How a route policy's required scope is found in a token's space-separated <c>scope</c> claims.</summary>
[TestFixture]
public sealed class ScopeMatchingTests
{
    [TestCaseSource(nameof(Cases))]
    public void A_scope_counts_only_as_a_whole_space_separated_word(string[] scopeClaims, string required, bool granted)
    {
        var identity = new ClaimsIdentity(scopeClaims.Select(value => new Claim(AccessTokenClaims.Scope, value)), "Bearer");

        Assert.That(new ClaimsPrincipal(identity).HasScope(required), Is.EqualTo(granted));
    }

    [Test]
    public void The_scope_claim_type_is_matched_as_FindAll_matches_it()
    {
        var identity = new ClaimsIdentity([new Claim("SCOPE", "orders")], "Bearer");

        Assert.That(new ClaimsPrincipal(identity).HasScope("orders"), Is.True);
    }

    [Test]
    public void Scopes_of_every_identity_count()
    {
        var user = new ClaimsPrincipal([new ClaimsIdentity([new Claim("sub", "u")]), new ClaimsIdentity([new Claim(AccessTokenClaims.Scope, "orders")])]);

        Assert.That(user.HasScope("orders"), Is.True);
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("alone", ["orders"], "orders", true);
        yield return Case("first of two", ["orders inventory"], "orders", true);
        yield return Case("last of two", ["inventory orders"], "orders", true);
        yield return Case("between extra spaces", ["  inventory   orders  "], "orders", true);
        yield return Case("in a second claim", ["inventory", "orders"], "orders", true);
        yield return Case("a prefix of a scope", ["ordersx"], "orders", false);
        yield return Case("a longer required scope", ["order"], "orders", false);
        yield return Case("a different case", ["Orders"], "orders", false);
        yield return Case("a permission-like value", ["orders:read"], "orders", false);
        yield return Case("no scope claim", [], "orders", false);
        yield return Case("an empty claim", [""], "orders", false);
        yield return Case("an empty required scope", ["orders  inventory"], "", false);
    }

    private static TestCaseData Case(string name, string[] claims, string required, bool granted) =>
        new TestCaseData(claims, required, granted).SetArgDisplayNames(name);
}
