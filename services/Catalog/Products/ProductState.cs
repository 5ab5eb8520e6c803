using Catalog.Contracts;
using Catalog.Domain;

namespace Catalog.Products;

/// <summary>
/// The stored shape of a product (key <c>product:&lt;sku&gt;</c> in catalog-store). <see cref="DocumentType"/> lets the
/// query API select products only: the table also holds outbox markers, and the query is not scoped by key prefix.
/// </summary>
internal sealed record ProductState(
    string DocumentType,
    string Sku,
    string Name,
    string Description,
    string Category,
    decimal Price,
    string Currency,
    bool Active,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const string ProductDocument = "product";
}

/// <summary>Mappings between the three shapes of a product: domain, stored state, HTTP response, and its events.</summary>
internal static class ProductMappings
{
    public static ProductState ToState(this Product product) => new(
        ProductState.ProductDocument,
        product.Sku,
        product.Name,
        product.Description,
        product.Category,
        product.Price.Amount,
        product.Price.Currency.ToString(),
        product.Active,
        product.Version,
        product.CreatedAt,
        product.UpdatedAt);

    public static Product ToProduct(this ProductState state) => new(
        state.Sku,
        state.Name,
        state.Description,
        state.Category,
        new Money(state.Price, Money.TryParseCurrency(state.Currency, out var currency)
            ? currency
            : throw new InvalidOperationException($"product {state.Sku} is stored with unknown currency '{state.Currency}'")),
        state.Active,
        state.Version,
        state.CreatedAt,
        state.UpdatedAt);

    public static ProductResponse ToResponse(this Product product) => new(
        product.Sku,
        product.Name,
        product.Description,
        product.Category,
        product.Price.Amount,
        product.Price.Currency.ToString(),
        product.Active,
        product.Version,
        product.CreatedAt,
        product.UpdatedAt);

    /// <summary>The integration event of a change: its CloudEvent type (the record name) and the payload.</summary>
    public static (string Type, object Payload) ToEvent(this ProductChange change, DateTimeOffset occurredAt)
    {
        var p = change.Product;
        var eventId = EventId(p.Sku, p.Version);
        var currency = p.Price.Currency.ToString();
        return change.Kind switch
        {
            ProductChangeKind.Created => (nameof(ProductCreated),
                new ProductCreated(eventId, p.Sku, p.Version, p.Name, p.Category, p.Price.Amount, currency, p.Active, occurredAt)),
            ProductChangeKind.Updated => (nameof(ProductUpdated),
                new ProductUpdated(eventId, p.Sku, p.Version, p.Name, p.Category, p.Price.Amount, currency, p.Active, occurredAt)),
            ProductChangeKind.PriceChanged => (nameof(ProductPriceChanged),
                new ProductPriceChanged(eventId, p.Sku, p.Version, p.Name, p.Category, p.Price.Amount, currency, p.Active,
                    change.PreviousPrice?.Amount ?? throw new InvalidOperationException("a price change needs the previous price"),
                    change.PreviousPrice.Currency.ToString(), occurredAt)),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, "unknown change"),
        };
    }

    /// <summary>Deterministic per product version, so a retried write or a redelivery carries the same id.</summary>
    public static string EventId(string sku, long version) => $"{sku}:{version}";
}
