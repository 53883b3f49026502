using System.Net;

namespace Orders.Stock;

public enum StockReservation
{
    Reserved,
    Unavailable,
}

/// <summary>
/// Calls the inventory service with the orders service's own client_credentials token (attached by the
/// HttpClient's handler), never with the user's token.
/// </summary>
public sealed class InventoryClient(HttpClient http)
{
    public async Task<StockReservation> ReserveAsync(Guid orderId, string sku, int quantity, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/internal/reservations", new { orderId, sku, quantity }, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity)
        {
            return StockReservation.Unavailable;
        }

        response.EnsureSuccessStatusCode();
        return StockReservation.Reserved;
    }
}
