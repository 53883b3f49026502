using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Orders.Stock;
using ServiceDefaults.Authorization;
using TokenClients.ClientCredentials;

namespace Orders.Ordering;

public static partial class OrdersEndpoints
{
    public const string ReadPolicy = "orders-read";
    public const string WritePolicy = "orders-write";

    /// <summary>Lets a caller see every order, not only their own.</summary>
    public const string AdminPermission = "orders:admin";

    public static IHostApplicationBuilder AddOrdering(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<OrderStore>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.RequireScopes("orders").RequirePermissions("orders:read"))
            .AddPolicy(WritePolicy, policy => policy.RequireScopes("orders").RequirePermissions("orders:write"));
        return builder;
    }

    public static IEndpointRouteBuilder MapOrdering(this IEndpointRouteBuilder endpoints)
    {
        var orders = endpoints.MapGroup("/orders");
        orders.MapGet("/", ListOrders).RequireAuthorization(ReadPolicy);
        orders.MapGet("/{id:guid}", GetOrder).RequireAuthorization(ReadPolicy);
        orders.MapPost("/", PlaceOrderAsync).RequireAuthorization(WritePolicy);
        return endpoints;
    }

    private static Ok<IReadOnlyList<Order>> ListOrders(ClaimsPrincipal user, OrderStore store) =>
        TypedResults.Ok(user.HasPermission(AdminPermission) ? store.All() : store.OwnedBy(OwnerId(user)));

    /// <summary>Someone else's order answers 404, exactly like a missing one: its existence is not revealed.</summary>
    private static Results<Ok<Order>, NotFound> GetOrder(Guid id, ClaimsPrincipal user, OrderStore store) =>
        store.Find(id) is { } order && (order.OwnerId == OwnerId(user) || user.HasPermission(AdminPermission))
            ? TypedResults.Ok(order)
            : TypedResults.NotFound();

    private static async Task<Results<Created<Order>, ValidationProblem, ProblemHttpResult>> PlaceOrderAsync(
        PlaceOrder request, ClaimsPrincipal user, OrderStore store, InventoryClient inventory, TimeProvider time,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Sku) || request.Sku.Length > 64 || request.Quantity is < 1 or > 100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["order"] = ["sku (at most 64 characters) and a quantity between 1 and 100 are required."],
            });
        }

        var order = new Order(Guid.NewGuid(), OwnerId(user), request.Sku, request.Quantity, time.GetUtcNow());
        StockReservation reservation;
        try
        {
            reservation = await inventory.ReserveAsync(order.Id, order.Sku, order.Quantity, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TokenRequestException or TaskCanceledException
                                          && !cancellationToken.IsCancellationRequested)
        {
            LogInventoryUnavailable(loggers.CreateLogger(typeof(OrdersEndpoints)), exception);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The inventory service is unavailable; try again later.");
        }

        if (reservation == StockReservation.Unavailable)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "That item is not available in that quantity.");
        }

        store.Add(order);
        return TypedResults.Created($"/orders/{order.Id}", order);
    }

    private static string OwnerId(ClaimsPrincipal user) =>
        user.FindFirstValue(AccessTokenClaims.Subject) ?? throw new InvalidOperationException("Authenticated tokens carry sub.");

    public sealed record PlaceOrder(string Sku, int Quantity);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Reserving stock failed: the inventory service or the token service is unavailable.")]
    private static partial void LogInventoryUnavailable(ILogger logger, Exception exception);
}
