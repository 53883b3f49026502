namespace Inventory.Items;

/// <summary>
/// The inventory's own data: a small catalog with stock levels, kept in memory (this is a sample; a restart
/// restocks it). Reservations are idempotent per order, so a retried call never reserves twice.
/// </summary>
public sealed class InventoryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StockItem> _items = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SKU-1001"] = new("SKU-1001", "Trail running shoes", 25),
        ["SKU-1002"] = new("SKU-1002", "Rain jacket", 10),
        ["SKU-1003"] = new("SKU-1003", "Headlamp", 40),
    };

    private readonly Dictionary<Guid, Reservation> _reservations = [];

    public IReadOnlyList<StockItem> All()
    {
        lock (_gate)
        {
            return [.. _items.Values.OrderBy(item => item.Sku, StringComparer.Ordinal)];
        }
    }

    public StockItem? Find(string sku)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(sku);
        }
    }

    public StockItem? SetAvailable(string sku, int available)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue(sku, out var item))
            {
                return null;
            }

            return _items[sku] = item with { Available = available };
        }
    }

    public ReservationOutcome Reserve(Guid orderId, string sku, int quantity)
    {
        lock (_gate)
        {
            if (_reservations.TryGetValue(orderId, out var existing))
            {
                return existing.Sku.Equals(sku, StringComparison.OrdinalIgnoreCase) && existing.Quantity == quantity
                    ? ReservationOutcome.Reserved
                    : ReservationOutcome.Conflict;
            }

            if (!_items.TryGetValue(sku, out var item))
            {
                return ReservationOutcome.UnknownSku;
            }

            if (item.Available < quantity)
            {
                return ReservationOutcome.InsufficientStock;
            }

            _items[sku] = item with { Available = item.Available - quantity };
            _reservations[orderId] = new Reservation(sku, quantity);
            return ReservationOutcome.Reserved;
        }
    }

    private sealed record Reservation(string Sku, int Quantity);
}

public enum ReservationOutcome
{
    Reserved,
    UnknownSku,
    InsufficientStock,

    /// <summary>The order id was already used for a different reservation.</summary>
    Conflict,
}
