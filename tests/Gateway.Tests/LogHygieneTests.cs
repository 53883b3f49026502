using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// Every log record the gateway writes (its configured levels, its own namespaces at Debug) while it handles
/// requests carrying tokens good and bad, in headers where they belong and where they do not.
/// </summary>
[TestFixture]
public sealed class LogHygieneTests
{
    private static TokenSpec OrdersReader => GatewayRig.OrdersReader;

    private GatewayRig _rig = null!;

    [OneTimeSetUp]
    public async Task StartGateway() => _rig = (await GatewayRig.StartNeighboursAsync()).StartGateway(
        new Dictionary<string, string> { ["Logging:LogLevel:Gateway"] = "Debug", ["Logging:LogLevel:ServiceDefaults"] = "Debug" },
        services: services => services.AddFakeLogging());

    [OneTimeTearDown]
    public async Task StopGateway() => await _rig.DisposeAsync();

    [Test]
    public async Task No_log_record_contains_a_token()
    {
        using var stranger = new TestSigningKey();
        var valid = _rig.Key.CreateToken(OrdersReader);
        var tokens = new[]
        {
            valid,
            _rig.Key.CreateToken(OrdersReader with { IssuedAt = TimeProvider.System.GetUtcNow().AddHours(-1) }),
            _rig.Key.CreateToken(OrdersReader with { Audiences = ["billing-api"] }),
            stranger.CreateToken(OrdersReader),
            _rig.Key.CreateToken(OrdersReader, d => d.AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = "https://evil.test" }),
            _rig.Key.CreateToken(OrdersReader, d => d.SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(_rig.Key.PublicKeyBytes()) { KeyId = _rig.Key.KeyId }, SecurityAlgorithms.HmacSha256)),
        };
        var responses = new List<HttpStatusCode>();
        foreach (var token in tokens)
        {
            responses.Add(await StatusOf(_rig.SendAsync(HttpMethod.Get, "/api/orders", token)));
        }

        responses.Add(await StatusOf(_rig.SendAsync(HttpMethod.Get, $"/.well-known/jwks.json?access_token={valid}", token: null)));
        responses.Add(await StatusOf(_rig.SendAsync(HttpMethod.Get, "/api/orders", token: null, ("X-User-Token", valid), ("Cookie", $"token={valid}"))));
        responses.Add(await StatusOf(_rig.SendAsync(HttpMethod.Get, "/api/orders/..%2f..%2finternal", valid)));

        var logged = _rig.Gateway.Services.GetRequiredService<FakeLogCollector>().GetSnapshot()
            .Select(record => $"{record.Message} {string.Join(' ', record.StructuredState ?? [])} {record.Exception}")
            .ToList();
        Assert.That(responses, Has.Member(HttpStatusCode.OK).And.Member(HttpStatusCode.Unauthorized).And.Member(HttpStatusCode.BadRequest));
        Assert.That(logged, Is.Not.Empty);
        foreach (var payload in tokens.Select(token => token.Split('.')[1]))
        {
            Assert.That(logged, Has.None.Contain(payload));
        }
    }

    private static async Task<HttpStatusCode> StatusOf(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        return response.StatusCode;
    }
}
