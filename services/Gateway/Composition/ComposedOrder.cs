namespace Gateway.Composition;

/// <summary>
/// <c>GET /api/orders/{id}</c>: the order with what the other services know about it. A part that a dependency
/// could not give in time is null and named in <see cref="Missing"/>; a part that does not exist yet (no payment,
/// no reservation) is null and not missing. <see cref="Complete"/> is true when nothing is missing.
/// </summary>
public sealed record ComposedOrder(
    OrderPart Order,
    PaymentPart? Payment,
    StockPart? Stock,
    IReadOnlyList<ProductPart> Products,
    IReadOnlyList<MissingPart> Missing)
{
    public bool Complete => Missing.Count == 0;
}

/// <param name="Part">"payment", "stock" or "product:&lt;sku&gt;".</param>
/// <param name="Reason">"timeout", "circuit-open", "unreachable", "status-&lt;code&gt;", "invalid-response" or "not-found" (a product catalog does not know).</param>
public sealed record MissingPart(string Part, string Reason);

// The gateway's own copies of the fields it shows (tolerant readers): unknown fields are ignored, statuses stay strings.

public sealed record OrderPart(
    string OrderId,
    string CustomerId,
    string Status,
    IReadOnlyList<OrderLinePart> Lines,
    string Currency,
    decimal Total,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PlacedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason);

public sealed record OrderLinePart(string Sku, string ProductName, int Quantity, decimal UnitPrice, decimal LineTotal);

/// <summary>What catalog says about a product now (its current price may differ from the order's unit price).</summary>
public sealed record ProductPart(string Sku, string Name, string Category, decimal Price, string Currency, bool Active);

public sealed record PaymentPart(
    string PaymentId,
    string Status,
    decimal Amount,
    string Currency,
    DateTimeOffset UpdatedAt,
    string? FailureReason,
    string? RefundReason);

public sealed record StockPart(
    string Status,
    IReadOnlyList<StockLinePart> Lines,
    string? Reason,
    DateTimeOffset UpdatedAt);

public sealed record StockLinePart(string Sku, int Quantity);
