namespace OrderQuery;

/// <summary>The Dapr names this app uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "order-query";
    public const string PubSub = "pubsub";
}
