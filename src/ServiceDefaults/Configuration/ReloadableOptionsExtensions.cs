using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.Configuration;

public static class ReloadableOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="sectionName"/>, validated at start with the
    /// validations the caller adds to the returned builder, and registers <see cref="ReloadableOptions{TOptions}"/>,
    /// which re-validates every reload and keeps the last valid value. The options themselves are bound without a
    /// change-token source: a validating options monitor would throw from the reload callback and then from every
    /// read, so consumers read <see cref="ReloadableOptions{TOptions}.Current"/> (or <see cref="IOptions{TOptions}"/>
    /// for a section that is read only at start, <paramref name="appliesWithoutRestart"/> false).
    /// <paramref name="bind"/> binds a section onto an instance; write it at the call site as
    /// <c>static (section, options) =&gt; section.Bind(options)</c>, where the options type is known, so that the
    /// configuration-binding source generator writes the binding (the gateway is compiled ahead of time, where the
    /// reflection binder behind a generic <c>Bind</c> cannot run).
    /// </summary>
    public static OptionsBuilder<TOptions> AddReloadableOptions<TOptions>(
        this IServiceCollection services, string sectionName, Action<IConfiguration, TOptions> bind, bool appliesWithoutRestart = true)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(bind);
        services.AddSingleton(provider => new ReloadableOptions<TOptions>(
            provider.GetRequiredService<IConfiguration>().GetSection(sectionName),
            bind,
            appliesWithoutRestart,
            provider.GetRequiredService<IOptionsMonitor<TOptions>>(),
            provider.GetServices<IValidateOptions<TOptions>>(),
            provider.GetRequiredService<ILogger<ReloadableOptions<TOptions>>>()));
        services.AddHostedService(provider => provider.GetRequiredService<ReloadableOptions<TOptions>>());
        return services.AddOptions<TOptions>()
            .Configure<IConfiguration>((options, configuration) => bind(configuration.GetSection(sectionName), options))
            .ValidateOnStart();
    }
}
