namespace OrderQuery;

/// <summary>The Dapr names this app uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "order-query";
    public const string PubSub = "pubsub";

    public const string OrdersTopic = "orders";
    public const string PaymentsTopic = "payments";
    public const string InventoryTopic = "inventory";
    public const string CatalogTopic = "catalog";

    /// <summary>The source services the rebuild reads through service invocation.</summary>
    public const string CatalogAppId = "catalog";
    public const string OrdersAppId = "orders";
    public const string PaymentsAppId = "payments";
    public const string InventoryAppId = "inventory";
}
