using Gateway.RequestTargets;
using NUnit.Framework;

namespace Gateway.Tests;

[TestFixture]
public sealed class CanonicalRequestTargetTests
{
    [TestCase("/")]
    [TestCase("/api/orders")]
    [TestCase("/api/orders/")]
    [TestCase("/api/orders/a%20b%41")]
    [TestCase("/api/orders/caf%C3%A9")]
    [TestCase("/api/orders/v1.2/..x/.well-known")]
    [TestCase("/api/orders?next=/../%2f%00")]
    [TestCase("/api/orders?my_access_token=1&token=2")]
    public void A_canonical_target_has_no_violation(string target) =>
        Assert.That(CanonicalRequestTarget.Inspect(target), Is.EqualTo(RequestTargetViolation.None));

    [TestCase("http://evil.test/api/orders", RequestTargetViolation.NotOriginForm)]
    [TestCase("*", RequestTargetViolation.NotOriginForm)]
    [TestCase("", RequestTargetViolation.NotOriginForm)]
    [TestCase("/a%2Fb", RequestTargetViolation.EncodedSeparator)]
    [TestCase("/a%5cb", RequestTargetViolation.EncodedSeparator)]
    [TestCase("/a%2e", RequestTargetViolation.EncodedDot)]
    [TestCase("/a%252e", RequestTargetViolation.EncodedPercent)]
    [TestCase("/a%2", RequestTargetViolation.MalformedPercentEncoding)]
    [TestCase("/a%g0", RequestTargetViolation.MalformedPercentEncoding)]
    [TestCase("/a%00", RequestTargetViolation.ControlCharacter)]
    [TestCase("/a\tb", RequestTargetViolation.ControlCharacter)]
    [TestCase("/a\\b", RequestTargetViolation.Backslash)]
    [TestCase("/caf\u00e9", RequestTargetViolation.NonAsciiCharacter)]
    [TestCase("/a%c0%af", RequestTargetViolation.InvalidUtf8)]
    [TestCase("/a%80", RequestTargetViolation.InvalidUtf8)]
    [TestCase("/a%C3", RequestTargetViolation.InvalidUtf8)]
    [TestCase("//a", RequestTargetViolation.EmptySegment)]
    [TestCase("/a//", RequestTargetViolation.EmptySegment)]
    [TestCase("/a/./b", RequestTargetViolation.DotSegment)]
    [TestCase("/a/..", RequestTargetViolation.DotSegment)]
    [TestCase("/..", RequestTargetViolation.DotSegment)]
    [TestCase("/a?access_token=eyJ", RequestTargetViolation.AccessTokenInQuery)]
    [TestCase("/a?x=1&ACCESS_TOKEN=eyJ", RequestTargetViolation.AccessTokenInQuery)]
    [TestCase("/a?access%5Ftoken=eyJ", RequestTargetViolation.AccessTokenInQuery)]
    public void A_non_canonical_target_is_named_for_its_violation(string target, RequestTargetViolation violation) =>
        Assert.That(CanonicalRequestTarget.Inspect(target), Is.EqualTo(violation));
}
