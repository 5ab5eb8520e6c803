namespace OrderQuery.Domain;

/// <summary>
/// What an event says about an order, in the read side's own terms (mapped from our copies of the producers'
/// events, or synthesized by the rebuild from the source services' APIs). <see cref="Version"/> is the version of the
/// aggregate that produced it: the order, the payment or the stock reservation.
/// </summary>
public abstract record OrderFact(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt)
{
    /// <summary>The CloudEvent type, shown in the timeline.</summary>
    public abstract string EventType { get; }

    /// <summary>
    /// The producing service. Event ids are unique per producer only (orders and inventory both use
    /// "&lt;order id&gt;:&lt;version&gt;"), so deduplication keys on (source, event id).
    /// </summary>
    public abstract string Source { get; }
}

public sealed record OrderPlacedFact(
    string EventId, string OrderId, long Version, DateTimeOffset OccurredAt,
    string CustomerId, string SagaMode, IReadOnlyList<SummaryLine> Lines, string Currency, decimal Total)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => "OrderPlaced";

    public override string Source => "orders";
}

public sealed record OrderConfirmedFact(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt, string CustomerId)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => "OrderConfirmed";

    public override string Source => "orders";
}

/// <summary>The customer cancelled the confirmed order; compensations run until OrderCancelled.</summary>
public sealed record OrderCancellationRequestedFact(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt, string CustomerId, string Reason)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => "OrderCancellationRequested";

    public override string Source => "orders";
}

/// <summary>A reviewer approved a choreographed order that waited for review (a rejection comes as OrderCancelled).</summary>
public sealed record OrderReviewedFact(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt, string CustomerId, string Reviewer)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => "OrderReviewed";

    public override string Source => "orders";
}

public sealed record OrderCancelledFact(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt, string CustomerId, string Reason)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => "OrderCancelled";

    public override string Source => "orders";
}

public sealed record PaymentFact(
    string EventId, string OrderId, long Version, DateTimeOffset OccurredAt,
    PaymentState Status, string CustomerId, string PaymentId, decimal Amount, string Currency, string? Reason)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => "Payment" + Status;

    public override string Source => "payments";
}

public sealed record StockFact(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt, StockState Status, int Units, string? Reason)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => "Stock" + Status;

    public override string Source => "inventory";
}

/// <summary>Loyalty credit awarded (positive points) or revoked for the order: shown in the timeline only.</summary>
public sealed record CreditFact(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt, bool Awarded, int Points)
    : OrderFact(EventId, OrderId, Version, OccurredAt)
{
    public override string EventType => Awarded ? "CreditAwarded" : "CreditRevoked";

    public override string Source => "payments";
}
