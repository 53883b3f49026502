namespace Orders.Ordering;

/// <summary>An order, owned by the user (<c>sub</c>) who placed it.</summary>
public sealed record Order(Guid Id, string OwnerId, string Sku, int Quantity, DateTimeOffset PlacedAt);
