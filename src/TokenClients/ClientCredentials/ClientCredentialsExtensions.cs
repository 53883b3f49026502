using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TokenClients.ClientCredentials;

public static class ClientCredentialsExtensions
{
    /// <summary>
    /// Gives the HttpClient the service's own identity: options from <paramref name="configurationSection"/>
    /// (validated at start), one cached token per HttpClient registration.
    /// </summary>
    public static IHttpClientBuilder AddClientCredentialsToken(this IHttpClientBuilder builder, string configurationSection)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = builder.Name;
        builder.Services.AddOptions<ClientCredentialsOptions>(name).BindConfiguration(configurationSection)
            .Validate(o => o.TokenEndpoint is { IsAbsoluteUri: true } uri && (uri.Scheme == Uri.UriSchemeHttps || o.AllowInsecureHttp),
                $"{configurationSection}:TokenEndpoint must be an absolute https URL (AllowInsecureHttp only for local development).")
            .Validate(o => o.ClientId.Length > 0 && o.ClientSecret.Length > 0, $"{configurationSection}:ClientId and ClientSecret are required.")
            .Validate(o => o.RefreshBeforeExpiry >= TimeSpan.Zero, $"{configurationSection}:RefreshBeforeExpiry must not be negative.")
            .Validate(o => o.RefreshRetryDelay > TimeSpan.Zero, $"{configurationSection}:RefreshRetryDelay must be more than zero.")
            .ValidateOnStart();

        var tokenClientName = $"{name}.token";
        builder.Services.AddHttpClient(tokenClientName);
        builder.Services.AddKeyedSingleton(name, (provider, _) => new ClientCredentialsTokenSource(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(tokenClientName),
            provider.GetRequiredService<IOptionsMonitor<ClientCredentialsOptions>>().Get(name),
            provider.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder.AddHttpMessageHandler(provider =>
            new ClientCredentialsHandler(provider.GetRequiredKeyedService<ClientCredentialsTokenSource>(name)));
    }
}
