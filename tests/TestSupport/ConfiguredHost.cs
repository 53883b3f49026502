using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace TestSupport;

/// <summary>
/// One of the platform's real processes, hosted in the test with the given settings (as environment variables
/// would give them). With <paramref name="kestrelPort"/> it listens on a real 127.0.0.1 port (0: any free one)
/// so the other processes can reach it (or, with a <c>urls</c> setting, on those addresses); without, it runs on
/// the in-memory test server. <c>replaceServices</c>
/// swaps services after the app registered its own (e.g. a FakeTimeProvider).
/// </summary>
public sealed class ConfiguredHost<TEntryPoint>(
    IReadOnlyDictionary<string, string> settings, int? kestrelPort = null, Action<IServiceCollection>? replaceServices = null)
    : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    /// <summary>The real address, once started on Kestrel.</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (kestrelPort is { } port)
        {
            // With a "urls" setting the server binds what the host gives it, as in production (plus any addresses
            // the app adds); otherwise the one loopback port.
            if (settings.ContainsKey("urls"))
            {
                UseKestrel();
            }
            else
            {
                UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
            }
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (replaceServices is not null)
        {
            builder.ConfigureTestServices(replaceServices);
        }
    }
}
