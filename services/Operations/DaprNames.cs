namespace Operations;

/// <summary>The Dapr names this service uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "operations";
    public const string PubSub = "pubsub";

    /// <summary>Dead letters (state.postgresql v2, no outbox: operations publishes only when it replays).</summary>
    public const string StateStore = "operations-store";

    /// <summary>The dead-letter topics the platform's subscriptions name (DESIGN §4: <c>&lt;topic&gt;-dlq</c>).</summary>
    public static readonly IReadOnlyList<string> DeadLetterTopics = ["catalog-dlq", "orders-dlq", "payments-dlq", "inventory-dlq"];
}
