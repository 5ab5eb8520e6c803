namespace Payments;

/// <summary>The Dapr names this service uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "payments";
    public const string PubSub = "pubsub";
}
