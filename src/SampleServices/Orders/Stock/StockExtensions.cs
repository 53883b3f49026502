using Microsoft.Extensions.Options;
using TokenClients.ClientCredentials;

namespace Orders.Stock;

public static class StockExtensions
{
    /// <summary>Inventory base address from <c>Inventory:BaseAddress</c>; the service identity from <c>ServiceIdentity</c>.</summary>
    public static IHostApplicationBuilder AddInventoryClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.SectionName)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "Inventory:BaseAddress must be an absolute URL.")
            .ValidateOnStart();
        builder.Services.AddHttpClient<InventoryClient>((provider, http) =>
            {
                http.BaseAddress = provider.GetRequiredService<IOptions<InventoryOptions>>().Value.BaseAddress;
                http.Timeout = TimeSpan.FromSeconds(10);
            })
            .AddClientCredentialsToken("ServiceIdentity");
        return builder;
    }
}

