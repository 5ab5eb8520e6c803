namespace OrderQuery.Domain;

/// <summary>Where an order stands in its fulfilment, derived only from the events seen so far.</summary>
public enum SagaStatus
{
    /// <summary>Only events of other services so far (the order's own event has not arrived yet).</summary>
    Pending,
    Placed,
    Reserved,
    Paid,
    Confirmed,

    /// <summary>The customer cancelled the confirmed order; refund, stock return and credit revocation are running.</summary>
    Cancelling,
    Cancelled,
}

/// <summary>The order's own status as the orders service reported it.</summary>
public enum OrderState
{
    Placed,
    Confirmed,
    Cancelling,
    Cancelled,
}

public enum PaymentState
{
    Succeeded,
    Failed,
    Refunded,
}

public enum StockState
{
    Reserved,
    Rejected,
    Released,
    Committed,

    /// <summary>Committed units came back to available (a customer cancellation).</summary>
    Returned,
}

public sealed record SummaryLine(string Sku, string ProductName, int Quantity, decimal UnitPrice, decimal LineTotal);

/// <summary>One event in an order's history, as the summary shows it; unique by (source, event id).</summary>
public sealed record TimelineEntry(string Source, string EventId, string EventType, long Version, DateTimeOffset OccurredAt, string Detail);

/// <summary>
/// The order summary view: what the orders, payments and inventory events say about one order. Each source
/// aggregate has its own last applied version (order, payment, stock reservation), so an older event of one of
/// them never overwrites a newer one, while the immutable facts it carries (lines, amounts, timestamps) still fill in.
/// </summary>
public sealed record OrderSummary(
    string OrderId,
    string? CustomerId,
    string? SagaMode,
    IReadOnlyList<SummaryLine> Lines,
    string? Currency,
    decimal? Total,
    OrderState? OrderStatus,
    long OrderVersion,
    DateTimeOffset? PlacedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    PaymentState? PaymentStatus,
    long PaymentVersion,
    string? PaymentId,
    decimal? PaymentAmount,
    string? PaymentReason,
    StockState? StockStatus,
    long StockVersion,
    string? StockReason,
    SagaStatus SagaStatus,
    string? SagaReason,
    IReadOnlyList<TimelineEntry> Timeline)
{
    public static OrderSummary Empty(string orderId) => new(
        orderId, null, null, [], null, null, null, 0, null, null, null, null, null, 0, null, null, null, null, 0, null,
        SagaStatus.Pending, null, []);
}
