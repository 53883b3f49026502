using System.Net.Http.Headers;
using System.Net.Http.Json;
using NUnit.Framework;
using TestSupport;

namespace Gateway.Tests;

/// <summary>One gateway, fake authority and echo backend per fixture.</summary>
public abstract class GatewayTestBase
{
    protected TestSigningKey Key { get; private set; } = null!;

    protected FakeAuthority Authority { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    private LoopbackApp _backend = null!;
    private ConfiguredHost<Policies.RoutePolicy> _gateway = null!;

    /// <summary>A token that passes the <c>orders-read</c> route policy.</summary>
    protected static TokenSpec OrdersReader => new() { Scopes = ["orders"], Permissions = ["orders:read"] };

    /// <summary>Settings a fixture changes from the defaults of <see cref="GatewayHost"/>.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Whether the fixture's gateway listens on a real port (Kestrel) rather than the in-memory test server.</summary>
    protected virtual bool OnKestrel => false;

    protected ConfiguredHost<Policies.RoutePolicy> Gateway => _gateway;

    [OneTimeSetUp]
    public async Task StartGateway()
    {
        Key = new TestSigningKey();
        Authority = await FakeAuthority.StartAsync(Key);
        _backend = await EchoBackend.StartAsync();
        _gateway = GatewayHost.Create(Authority, _backend.BaseAddress, Settings, OnKestrel);
        Client = OnKestrel ? new HttpClient { BaseAddress = _gateway.BaseAddress } : _gateway.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopGateway()
    {
        Client.Dispose();
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await Authority.DisposeAsync();
        Key.Dispose();
    }

    protected async Task<HttpResponseMessage> GetAsync(string path, string? token, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Client.SendAsync(request);
    }

    protected static async Task<EchoedRequest> EchoOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<EchoedRequest>())!;
}
