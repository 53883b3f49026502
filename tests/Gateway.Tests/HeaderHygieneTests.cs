using NUnit.Framework;

namespace Gateway.Tests;

/// <summary>Run against the gateway on the JIT in process and against the published native executable.</summary>
[TestFixture(GatewayBuild.Jit)]
[TestFixture(GatewayBuild.Native)]
public sealed class HeaderHygieneTests(GatewayBuild build) : GatewayTestBase(build)
{
    [TestCase("X-User-Id")]
    [TestCase("X-Forwarded-User")]
    [TestCase("X-Authenticated-Userid")]
    [TestCase("X-Auth-Request-Email")]
    [TestCase("X-Client-Id")]
    [TestCase("X-Roles")]
    [TestCase("X-Permissions")]
    [TestCase("Remote-User")]
    public async Task A_client_supplied_identity_header_never_reaches_the_service(string header)
    {
        using var response = await GetAsync("/api/orders", Key.CreateToken(OrdersReader), (header, "admin"));

        Assert.That((await EchoOf(response)).Headers.Keys, Has.No.Member(header));
    }

    [Test]
    public async Task Ordinary_headers_pass_through()
    {
        using var response = await GetAsync("/api/orders", Key.CreateToken(OrdersReader), ("Accept-Language", "de"));

        Assert.That((await EchoOf(response)).Headers["Accept-Language"], Is.EqualTo("de"));
    }
}
