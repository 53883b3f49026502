using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using Gateway.Policies;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using TestSupport;

namespace Gateway.Tests;

/// <summary>
/// A gateway and its neighbours: a test signing key published by a <see cref="FakeAuthority"/>, and an echo backend
/// every cluster points at. The neighbours start first so a test can change them (or take them away) before the
/// gateway starts.
/// </summary>
public sealed class GatewayRig : IAsyncDisposable
{
    private ConfiguredHost<RoutePolicy>? _host;
    private PlatformProcess? _native;
    private WebApplicationFactory<RoutePolicy>? _gateway;
    private HttpClient? _client;

    private GatewayRig(TestSigningKey key, FakeAuthority authority, LoopbackApp backend)
    {
        Key = key;
        Authority = authority;
        Backend = backend;
    }

    /// <summary>A token that passes the <c>orders-read</c> route policy.</summary>
    public static TokenSpec OrdersReader => new() { Scopes = ["orders"], Permissions = ["orders:read"] };

    public TestSigningKey Key { get; }

    public FakeAuthority Authority { get; }

    public LoopbackApp Backend { get; }

    public WebApplicationFactory<RoutePolicy> Gateway => _gateway ?? throw new InvalidOperationException("No gateway has been started in the test process.");

    /// <summary>The published native gateway, once started with <see cref="StartNativeGatewayAsync"/>.</summary>
    public PlatformProcess Native => _native ?? throw new InvalidOperationException("The native gateway has not been started.");

    public HttpClient Client => _client ?? throw new InvalidOperationException("The gateway has not been started.");

    public static async Task<GatewayRig> StartNeighboursAsync()
    {
        var key = new TestSigningKey();
        return new GatewayRig(key, await FakeAuthority.StartAsync(key), await EchoBackend.StartAsync());
    }

    /// <summary>
    /// Starts the gateway with <paramref name="settings"/> over the defaults of <see cref="GatewayHost"/>, on a real
    /// port or, in memory, with <paramref name="services"/> added to its own (such as test loggers).
    /// </summary>
    public GatewayRig StartGateway(
        IReadOnlyDictionary<string, string>? settings = null, bool onKestrel = false, Action<IServiceCollection>? services = null)
    {
        if (onKestrel && services is not null)
        {
            throw new ArgumentException("Services can be added only to an in-memory gateway.", nameof(services));
        }

        _host = GatewayHost.Create(Authority, Backend.BaseAddress, settings, onKestrel);
        // A derived factory is disposed with the host it derives from.
        _gateway = services is null ? _host : _host.WithWebHostBuilder(web => web.ConfigureServices(services));
        _client = onKestrel ? new HttpClient { BaseAddress = _host.BaseAddress } : _gateway.CreateClient();

        return this;
    }

    /// <summary>Starts the published native gateway (<see cref="NativeGateway"/>) with <paramref name="settings"/> over the defaults of <see cref="GatewayHost"/>.</summary>
    public async Task<GatewayRig> StartNativeGatewayAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        _native = await NativeGateway.CreateAsync(GatewayHost.Settings(Authority, Backend.BaseAddress, settings));
        await _native.StartAsync();
        _client = new HttpClient { BaseAddress = _native.Address };
        return this;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
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

    /// <summary>Records what the gateway measures on one instrument of its own meter (named after the application) from now on.</summary>
    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct =>
        new(Gateway.Services.GetRequiredService<IMeterFactory>(), Gateway.Services.GetRequiredService<IHostEnvironment>().ApplicationName, instrument);

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_native is not null)
        {
            await _native.DisposeAsync();
        }

        await Backend.DisposeAsync();
        await Authority.DisposeAsync();
        Key.Dispose();
    }
}
