namespace Catalog.Contracts;

// Integration events of topic "catalog" (CloudEvent type = the record's name). Each carries the full product
// snapshot (event-carried state transfer), its own deterministic eventId "<sku>:<version>" and the product version,
// so consumers keep a replica with last-writer-wins by version and dedupe on eventId.

/// <summary>A product was added to the catalog (version 1).</summary>
public sealed record ProductCreated(
    string EventId,
    string Sku,
    long Version,
    string Name,
    string Category,
    decimal Price,
    string Currency,
    bool Active,
    DateTimeOffset OccurredAt);

/// <summary>Name, description, category or the active flag changed (the description itself is not carried).</summary>
public sealed record ProductUpdated(
    string EventId,
    string Sku,
    long Version,
    string Name,
    string Category,
    decimal Price,
    string Currency,
    bool Active,
    DateTimeOffset OccurredAt);

/// <summary>
/// The price changed. <see cref="PreviousPrice"/> is the amount before; <see cref="PreviousCurrency"/> is an
/// addition to the shared contract (tolerant readers ignore it) because a price may also change currency.
/// </summary>
public sealed record ProductPriceChanged(
    string EventId,
    string Sku,
    long Version,
    string Name,
    string Category,
    decimal Price,
    string Currency,
    bool Active,
    decimal PreviousPrice,
    string PreviousCurrency,
    DateTimeOffset OccurredAt);
