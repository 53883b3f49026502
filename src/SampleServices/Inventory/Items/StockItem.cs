namespace Inventory.Items;

public sealed record StockItem(string Sku, string Name, int Available);
