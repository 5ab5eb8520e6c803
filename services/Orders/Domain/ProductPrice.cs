namespace Orders.Domain;

/// <summary>The local copy of a catalog product (event-carried state transfer), versioned by the catalog's product version.</summary>
public sealed record ProductPrice(string Sku, string Name, decimal Price, string Currency, bool Active, long Version)
{
    /// <summary>
    /// A record the replica writes before the first real version of a sku, so that concurrent first events
    /// race on an ETag instead of overwriting each other. It never prices anything.
    /// </summary>
    public static ProductPrice Placeholder(string sku) => new(sku, "", 0m, "", Active: false, Version: 0);

    public bool IsPlaceholder => Version == 0;
}

/// <summary>Last writer wins by product version: an older or equal version never replaces what the replica holds.</summary>
public static class ReplicaRule
{
    /// <returns>The record to store, or null when the incoming snapshot is stale or a duplicate.</returns>
    public static ProductPrice? Apply(ProductPrice? current, ProductPrice incoming) =>
        current is null || incoming.Version > current.Version ? incoming : null;
}
