namespace Catalog;

/// <summary>The Dapr names this service uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "catalog";
    public const string PubSub = "pubsub";

    /// <summary>Products (state.postgresql v1 locally for the query API, MongoDB in production); outbox to <see cref="Topic"/>.</summary>
    public const string StateStore = "catalog-store";

    /// <summary>The outbox topic of <see cref="StateStore"/>: ProductCreated, ProductUpdated, ProductPriceChanged.</summary>
    public const string Topic = "catalog";
}
