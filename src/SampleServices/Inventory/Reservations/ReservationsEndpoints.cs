using Inventory.Items;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults.Authorization;

namespace Inventory.Reservations;

/// <summary>
/// Service-to-service only: the orders service reserves stock with its own client_credentials token
/// (<c>sub</c> = <c>client_id</c> = <c>orders-service</c>, scope <c>inventory:reserve</c>). User tokens are refused
/// here whatever they carry; the gateway exposes no route to it.
/// </summary>
public static class ReservationsEndpoints
{
    public const string ReservePolicy = "inventory-reserve";

    public static IHostApplicationBuilder AddReservations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReservePolicy, policy => policy.RequireServiceClient("orders-service").RequireScopes("inventory:reserve"));
        return builder;
    }

    public static IEndpointRouteBuilder MapReservations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/internal/reservations", Reserve).RequireAuthorization(ReservePolicy);
        return endpoints;
    }

    private static Results<Ok<ReservationRequest>, ValidationProblem, ProblemHttpResult> Reserve(ReservationRequest request, InventoryStore store)
    {
        if (request.OrderId == Guid.Empty || string.IsNullOrWhiteSpace(request.Sku) || request.Quantity is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["reservation"] = ["orderId, sku and a quantity between 1 and 1000 are required."],
            });
        }

        return store.Reserve(request.OrderId, request.Sku, request.Quantity) switch
        {
            ReservationOutcome.Reserved => TypedResults.Ok(request),
            ReservationOutcome.UnknownSku => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unknown SKU."),
            ReservationOutcome.InsufficientStock => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not enough stock."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This order already reserved something else."),
        };
    }

    public sealed record ReservationRequest(Guid OrderId, string Sku, int Quantity);
}
