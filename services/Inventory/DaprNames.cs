namespace Inventory;

/// <summary>The Dapr names this service uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "inventory";
    public const string PubSub = "pubsub";

    /// <summary>Stock per SKU and reservations; outbox to <see cref="Topic"/>.</summary>
    public const string StateStore = "inventory-store";

    /// <summary>The outbox topic of <see cref="StateStore"/>.</summary>
    public const string Topic = "inventory";
}
