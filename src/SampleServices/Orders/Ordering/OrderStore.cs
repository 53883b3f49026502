using System.Collections.Concurrent;

namespace Orders.Ordering;

/// <summary>The orders service's own data, kept in memory (this is a sample; a restart forgets the orders).</summary>
public sealed class OrderStore
{
    private readonly ConcurrentDictionary<Guid, Order> _orders = new();

    public void Add(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!_orders.TryAdd(order.Id, order))
        {
            throw new InvalidOperationException("Order ids are unique.");
        }
    }

    public Order? Find(Guid id) => _orders.GetValueOrDefault(id);

    public IReadOnlyList<Order> All() => [.. _orders.Values.OrderBy(o => o.PlacedAt)];

    public IReadOnlyList<Order> OwnedBy(string ownerId) => [.. _orders.Values.Where(o => o.OwnerId == ownerId).OrderBy(o => o.PlacedAt)];
}
