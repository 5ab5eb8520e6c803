namespace OrderSaga;

/// <summary>The Dapr names this app uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "order-saga";
    public const string PubSub = "pubsub";

    /// <summary>Workflow state (history, inbox, timers): the actor state store, used by the sidecar, never by the code.</summary>
    public const string SagaStore = "saga-store";

    /// <summary>The saga starts from <c>OrderPlaced</c> on this topic (components/order-saga-subscriptions.yaml).</summary>
    public const string OrdersTopic = "orders";
    public const string OrdersDeadLetterTopic = "orders-dlq";

    /// <summary>The services whose idempotent operations the activities invoke.</summary>
    public const string OrdersApp = "orders";
    public const string PaymentsApp = "payments";
    public const string InventoryApp = "inventory";
}
