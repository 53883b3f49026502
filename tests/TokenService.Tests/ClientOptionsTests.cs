using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TokenService.Clients;

namespace TokenService.Tests;

/// <summary>How long a client's record is trusted without reading it again: 0 to 1 minute, checked at start.</summary>
[TestFixture]
public sealed class ClientOptionsTests
{
    [TestCase("00:00:00")]
    [TestCase("00:01:00")]
    public void A_cache_lifetime_from_zero_to_one_minute_is_accepted(string lifetime)
    {
        using var host = Build(lifetime);

        Assert.That(Options(host).Value.CacheLifetime, Is.EqualTo(TimeSpan.Parse(lifetime, CultureInfo.InvariantCulture)));
    }

    [TestCase("-00:00:01")]
    [TestCase("00:01:01")]
    public void A_cache_lifetime_outside_zero_to_one_minute_is_refused_at_start(string lifetime)
    {
        using var host = Build(lifetime);

        Assert.That(() => Options(host).Value, Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Clients:CacheLifetime"));
    }

    private static IHost Build(string lifetime)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Clients:CacheLifetime"] = lifetime;
        builder.AddClients();
        return builder.Build();
    }

    private static IOptions<ClientOptions> Options(IHost host) => host.Services.GetRequiredService<IOptions<ClientOptions>>();
}
