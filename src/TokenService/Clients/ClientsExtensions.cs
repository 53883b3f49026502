namespace TokenService.Clients;

public static class ClientsExtensions
{
    /// <summary>OAuth clients: their authentication at the token, revocation and introspection endpoints, and the cache of their records.</summary>
    public static IHostApplicationBuilder AddClients(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ClientOptions>().BindConfiguration(ClientOptions.SectionName)
            .Validate(o => o.CacheLifetime >= TimeSpan.Zero && o.CacheLifetime <= ClientOptions.MaximumCacheLifetime,
                "Clients:CacheLifetime must be between 0 and 1 minute.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ClientQueries>();
        builder.Services.AddSingleton<ClientCache>();
        builder.Services.AddScoped<ClientAuthenticator>();
        return builder;
    }
}
