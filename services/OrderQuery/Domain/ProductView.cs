namespace OrderQuery.Domain;

/// <summary>
/// A product as the search index holds it: the catalog's snapshot events carry every field but the description.
/// Last writer wins by <see cref="Version"/>: a view is replaced only by a newer version (the store applies it
/// in the same statement as the upsert, so concurrent deliveries cannot interleave).
/// </summary>
public sealed record ProductView(string Sku, string Name, string Category, decimal Price, string Currency, bool Active, long Version, DateTimeOffset UpdatedAt);
