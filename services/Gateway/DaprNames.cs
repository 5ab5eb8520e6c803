namespace Gateway;

/// <summary>The Dapr names this app uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "gateway";
    public const string PubSub = "pubsub";
}
