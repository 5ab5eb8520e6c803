namespace Orders;

/// <summary>The Dapr names this service uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "orders";
    public const string OrderSagaAppId = "order-saga";
    public const string PubSub = "pubsub";

    /// <summary>Orders (state.postgresql v2) with the outbox to <see cref="OrdersTopic"/>.</summary>
    public const string OrdersStore = "orders-store";

    /// <summary>Price replica, inbox and the per-customer order index: same database, no outbox.</summary>
    public const string ReplicaStore = "orders-replica";

    public const string OrdersTopic = "orders";
    public const string CatalogTopic = "catalog";
    public const string CatalogDeadLetterTopic = "catalog-dlq";
}
