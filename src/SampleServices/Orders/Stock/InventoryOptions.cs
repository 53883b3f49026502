namespace Orders.Stock;

/// <summary>Bound from <c>Inventory</c>.</summary>
public sealed class InventoryOptions
{
    public const string SectionName = "Inventory";

    /// <summary>Base address of the inventory service (in Kubernetes: its in-cluster URL). Required.</summary>
    public Uri? BaseAddress { get; set; }
}
