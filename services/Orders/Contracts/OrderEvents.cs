using Orders.Domain;

namespace Orders.Contracts;

/// <summary>Names of the events on topic <c>orders</c>; the CloudEvent <c>type</c> subscribers route on.</summary>
public static class OrderEventTypes
{
    public const string OrderPlaced = nameof(Contracts.OrderPlaced);
    public const string OrderConfirmed = nameof(Contracts.OrderConfirmed);
    public const string OrderCancelled = nameof(Contracts.OrderCancelled);
    public const string OrderCancellationRequested = nameof(Contracts.OrderCancellationRequested);
    public const string OrderReviewed = nameof(Contracts.OrderReviewed);
}

public sealed record OrderPlacedLine(string Sku, string ProductName, int Quantity, decimal UnitPrice);

/// <summary>
/// An order was placed (published with the order, through the outbox). <see cref="ReviewRequired"/>: a choreographed
/// order that waits for a manual review, which payments must see approved (OrderReviewed) before it charges.
/// </summary>
public sealed record OrderPlaced(
    string EventId,
    string OrderId,
    string CustomerId,
    long Version,
    SagaMode SagaMode,
    IReadOnlyList<OrderPlacedLine> Lines,
    string Currency,
    decimal Total,
    DateTimeOffset OccurredAt,
    bool ReviewRequired = false);

/// <summary>
/// The order is confirmed. The saga mode lets payments and inventory, which act on it only in the choreographed saga,
/// leave an orchestrated order alone without reading what they know of it.
/// </summary>
public sealed record OrderConfirmed(string EventId, string OrderId, string CustomerId, long Version, DateTimeOffset OccurredAt, SagaMode SagaMode);

/// <summary>
/// The order is cancelled. The saga mode tells inventory to release a choreographed order's reservation (a review
/// rejected or expired; for the other reasons the release already happened or was never needed).
/// </summary>
public sealed record OrderCancelled(
    string EventId, string OrderId, string CustomerId, long Version, string Reason, DateTimeOffset OccurredAt, SagaMode SagaMode = SagaMode.Orchestration);

/// <summary>
/// A reviewer approved a choreographed order that waited for review: payments charges it once its stock is reserved
/// too. A rejection cancels the order in the same write, so it goes out as OrderCancelled ("rejected in review"),
/// not as this event; <see cref="Approved"/> is therefore always true today and says so explicitly for readers.
/// </summary>
public sealed record OrderReviewed(
    string EventId,
    string OrderId,
    string CustomerId,
    long Version,
    SagaMode SagaMode,
    bool Approved,
    string Reviewer,
    string? Comment,
    DateTimeOffset OccurredAt);

/// <summary>
/// The customer cancelled a confirmed order (it is now Cancelling): the compensations start from this event —
/// order-saga runs OrderCancellationWorkflow for an orchestrated order, payments and inventory compensate a
/// choreographed one. It carries the saga mode and the customer, so no consumer needs another lookup.
/// </summary>
public sealed record OrderCancellationRequested(
    string EventId,
    string OrderId,
    string CustomerId,
    long Version,
    SagaMode SagaMode,
    string Reason,
    string Currency,
    decimal Total,
    DateTimeOffset OccurredAt);

internal static class OrderEventMapping
{
    /// <summary>The integration event of a change, with its CloudEvent type.</summary>
    public static (string Type, object Payload) ToEvent(this OrderChange change) => change switch
    {
        OrderChange.Placed { Order: var o } => (OrderEventTypes.OrderPlaced, new OrderPlaced(
            change.EventId, o.OrderId, o.CustomerId, o.Version, o.SagaMode,
            [.. o.Lines.Select(l => new OrderPlacedLine(l.Sku, l.ProductName, l.Quantity, l.UnitPrice))],
            o.Currency, o.Total, o.PlacedAt ?? o.CreatedAt, ReviewRequired: o.Review is not null)),
        OrderChange.Confirmed { Order: var o } => (OrderEventTypes.OrderConfirmed, new OrderConfirmed(
            change.EventId, o.OrderId, o.CustomerId, o.Version, o.ConfirmedAt ?? o.CreatedAt, o.SagaMode)),
        OrderChange.Cancelled { Order: var o } => (OrderEventTypes.OrderCancelled, new OrderCancelled(
            change.EventId, o.OrderId, o.CustomerId, o.Version, o.CancellationReason ?? "", o.CancelledAt ?? o.CreatedAt, o.SagaMode)),
        OrderChange.ReviewApproved { Order: var o } => (OrderEventTypes.OrderReviewed, new OrderReviewed(
            change.EventId, o.OrderId, o.CustomerId, o.Version, o.SagaMode, Approved: true, o.Review?.Reviewer ?? "",
            o.Review?.Comment, o.Review?.DecidedAt ?? o.CreatedAt)),
        OrderChange.CancellationRequested { Order: var o } => (OrderEventTypes.OrderCancellationRequested, new OrderCancellationRequested(
            change.EventId, o.OrderId, o.CustomerId, o.Version, o.SagaMode, o.CancellationReason ?? "", o.Currency, o.Total,
            o.CancellationRequestedAt ?? o.CreatedAt)),
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };
}
