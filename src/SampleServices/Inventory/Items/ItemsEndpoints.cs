using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults.Authorization;

namespace Inventory.Items;

public static class ItemsEndpoints
{
    public const string ReadPolicy = "inventory-read";
    public const string WritePolicy = "inventory-write";

    public static IHostApplicationBuilder AddItems(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<InventoryStore>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.RequireScopes("inventory").RequirePermissions("inventory:read"))
            .AddPolicy(WritePolicy, policy => policy.RequireScopes("inventory").RequirePermissions("inventory:write"));
        return builder;
    }

    public static IEndpointRouteBuilder MapItems(this IEndpointRouteBuilder endpoints)
    {
        var items = endpoints.MapGroup("/inventory/items");
        items.MapGet("/", (InventoryStore store) => TypedResults.Ok(store.All())).RequireAuthorization(ReadPolicy);
        items.MapGet("/{sku}", Results<Ok<StockItem>, NotFound> (string sku, InventoryStore store) =>
            store.Find(sku) is { } item ? TypedResults.Ok(item) : TypedResults.NotFound()).RequireAuthorization(ReadPolicy);
        items.MapPut("/{sku}/stock", SetStock).RequireAuthorization(WritePolicy);
        return endpoints;
    }

    private static Results<Ok<StockItem>, NotFound, ValidationProblem> SetStock(string sku, StockUpdate update, InventoryStore store)
    {
        if (update.Available is < 0 or > 1_000_000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["available"] = ["Must be between 0 and 1000000."],
            });
        }

        return store.SetAvailable(sku, update.Available) is { } item ? TypedResults.Ok(item) : TypedResults.NotFound();
    }

    public sealed record StockUpdate(int Available);
}
