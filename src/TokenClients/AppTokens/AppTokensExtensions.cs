using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenClients.AppTokens;

public static class AppTokensExtensions
{
    private const string TokenHttpClientName = "TokenClients.AppTokens.token";

    /// <summary>
    /// Registers the app's session (<see cref="AppTokenClient"/>, one per app) with options bound from
    /// <paramref name="configurationSection"/> and validated at start, and an in-memory <see cref="ITokenStore"/>
    /// unless one is registered already: register your secure-storage store before or after this call
    /// (<c>services.AddSingleton&lt;ITokenStore, MySecureStore&gt;()</c>; the last registration wins).
    /// </summary>
    public static IServiceCollection AddAppTokenClient(this IServiceCollection services, string configurationSection = AppTokenOptions.DefaultSectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AppTokenOptions>().BindConfiguration(configurationSection).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AppTokenOptions>, AppTokenOptionsValidator>());
        services.TryAddSingleton<ITokenStore, InMemoryTokenStore>();
        services.AddHttpClient(TokenHttpClientName);
        services.TryAddSingleton(provider => new AppTokenClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(TokenHttpClientName),
            provider.GetRequiredService<IOptions<AppTokenOptions>>().Value,
            provider.GetRequiredService<ITokenStore>(),
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<ILogger<AppTokenClient>>()));
        return services;
    }

    /// <summary>Sends the HttpClient's requests with the app's access token (see <see cref="AppTokenHandler"/>). Needs <see cref="AddAppTokenClient"/>.</summary>
    public static IHttpClientBuilder AddAppAccessToken(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddHttpMessageHandler(provider => new AppTokenHandler(provider.GetRequiredService<AppTokenClient>()));
    }
}
