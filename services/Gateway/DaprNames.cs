namespace Gateway;

/// <summary>The Dapr names this app uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "gateway";

    /// <summary>Catalog data for composed reads (Redis with a TTL per entry; cache-aside).</summary>
    public const string CacheStore = "gateway-cache";

    public const string OrdersAppId = "orders";
    public const string CatalogAppId = "catalog";
    public const string PaymentsAppId = "payments";
    public const string InventoryAppId = "inventory";
    public const string OrderQueryAppId = "order-query";
}
