using System.Text.Json.Serialization;

namespace Orders.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<SagaMode>))]
public enum SagaMode
{
    Orchestration,
    Choreography,
}

[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    /// <summary>Claimed by a place request but not placed yet: no OrderPlaced went out, nobody else sees it.</summary>
    Pending,
    Placed,
    Confirmed,

    /// <summary>The customer cancelled the confirmed order; its compensations (refund, restock, revoke credit) are running.</summary>
    Cancelling,
    Cancelled,
}

/// <summary>A compensation of a customer cancellation that a participant reported done (choreography).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CancellationCompensation>))]
public enum CancellationCompensation
{
    /// <summary>Payments refunded the charge (after revoking the credit points): PaymentRefunded.</summary>
    Refund,

    /// <summary>Inventory put the committed units back into available stock: StockReturned.</summary>
    Restock,
}

public sealed record OrderLine(string Sku, string ProductName, int Quantity, decimal UnitPrice)
{
    public decimal LineTotal => UnitPrice * Quantity;
}

/// <summary>
/// The order aggregate. <see cref="RequestFingerprint"/> is the idempotency record: the order id is derived from
/// (customer, key), so the aggregate itself remembers which request body created it.
/// </summary>
public sealed record Order(
    string OrderId,
    string CustomerId,
    SagaMode SagaMode,
    IReadOnlyList<OrderLine> Lines,
    string Currency,
    decimal Total,
    OrderStatus Status,
    long Version,
    string RequestFingerprint,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PlacedAt = null,
    DateTimeOffset? ConfirmedAt = null,
    DateTimeOffset? CancelledAt = null,
    string? CancellationReason = null,
    DateTimeOffset? CancellationRequestedAt = null,
    IReadOnlyList<CancellationCompensation>? ReportedCompensations = null,
    OrderReview? Review = null)
{
    /// <summary>Visible to readers and to the saga operations: everything but a pending claim.</summary>
    public bool IsPlaced => Status != OrderStatus.Pending;
}

/// <summary>What a change of the order tells the world; the service maps it to its integration event.</summary>
public abstract record OrderChange(Order Order)
{
    public sealed record Placed(Order Order) : OrderChange(Order);

    public sealed record Confirmed(Order Order) : OrderChange(Order);

    public sealed record Cancelled(Order Order) : OrderChange(Order);

    /// <summary>The customer cancelled a confirmed order: the compensations start from this event.</summary>
    public sealed record CancellationRequested(Order Order) : OrderChange(Order);

    /// <summary>A reviewer approved a choreographed order that waited for review: payments may charge it now.</summary>
    public sealed record ReviewApproved(Order Order) : OrderChange(Order);

    /// <summary>Deterministic per aggregate change, so a consumer dedupes an event the app re-sent.</summary>
    public string EventId => $"{Order.OrderId}:{Order.Version}";
}

/// <summary>The outcome of a saga operation (confirm or cancel) on an order.</summary>
public abstract record TransitionResult
{
    private TransitionResult()
    {
    }

    /// <summary>The order changed; the change's event must be published with it.</summary>
    public sealed record Changed(OrderChange Change) : TransitionResult;

    /// <summary>The order already is in the requested state: the operation is answered as before, nothing is written.</summary>
    public sealed record AlreadyDone(Order Order) : TransitionResult;

    /// <summary>The order is in a state that forbids the operation.</summary>
    public sealed record Refused(Order Order, string Reason) : TransitionResult;

    /// <summary>
    /// Cancelling a confirmed order needs compensations (refund, restock, revoke credit): the saga's plain cancel
    /// refuses it; the customer's cancellation (<see cref="OrderDecisions.RequestCancellation"/>) starts them.
    /// </summary>
    public sealed record NeedsCompensation(Order Order) : TransitionResult;

    /// <summary>The order noted a fact (a reported compensation) without changing state: saved without an event.</summary>
    public sealed record Noted(Order Order) : TransitionResult;
}

/// <summary>The order's state machine as pure decisions: Pending → Placed → Confirmed | Cancelled; Confirmed → Cancelling → Cancelled (a customer cancellation).</summary>
public static class OrderDecisions
{
    public const int MaxReasonLength = 500;

    /// <summary>A new order, claimed but not yet placed.</summary>
    public static Order Open(string orderId, PlaceOrder command, PricingResult.Priced priced, DateTimeOffset now) =>
        new(orderId, command.CustomerId, command.SagaMode, priced.Lines, priced.Currency, priced.Total,
            OrderStatus.Pending, Version: 0, command.Fingerprint(), CreatedAt: now);

    /// <summary>
    /// Pending → Placed (version 1). Placing a placed order is a programming error. A choreographed order above the
    /// review threshold waits for a review (<see cref="ReviewRules"/>) from now until <c>now + timeout</c>.
    /// </summary>
    public static OrderChange.Placed Place(Order pending, DateTimeOffset now, ReviewPolicy? review = null) =>
        pending.Status == OrderStatus.Pending
            ? new OrderChange.Placed(pending with
            {
                Status = OrderStatus.Placed,
                Version = pending.Version + 1,
                PlacedAt = now,
                Review = review is not null && review.Requires(pending) ? OrderReview.Awaiting(now + review.Timeout) : null,
            })
            : throw new InvalidOperationException($"order {pending.OrderId} is {pending.Status}, not pending");

    public static TransitionResult Confirm(Order order, DateTimeOffset now) => order.Status switch
    {
        OrderStatus.Placed => new TransitionResult.Changed(new OrderChange.Confirmed(
            order with { Status = OrderStatus.Confirmed, Version = order.Version + 1, ConfirmedAt = now })),
        OrderStatus.Confirmed => new TransitionResult.AlreadyDone(order),
        OrderStatus.Cancelled => new TransitionResult.Refused(order, $"Order {order.OrderId} is cancelled and cannot be confirmed."),
        OrderStatus.Cancelling => new TransitionResult.Refused(order, $"Order {order.OrderId} is being cancelled and cannot be confirmed."),
        _ => throw new InvalidOperationException($"order {order.OrderId} is not placed yet"),
    };

    public static TransitionResult Cancel(Order order, string reason, DateTimeOffset now) => order.Status switch
    {
        OrderStatus.Placed => new TransitionResult.Changed(new OrderChange.Cancelled(
            order with { Status = OrderStatus.Cancelled, Version = order.Version + 1, CancelledAt = now, CancellationReason = reason })),
        OrderStatus.Cancelled => new TransitionResult.AlreadyDone(order),
        OrderStatus.Confirmed => new TransitionResult.NeedsCompensation(order),
        // The last step of a customer cancellation, once its compensations are done; the customer's reason is kept.
        OrderStatus.Cancelling => new TransitionResult.Changed(Complete(order, now)),
        _ => throw new InvalidOperationException($"order {order.OrderId} is not placed yet"),
    };

    /// <summary>
    /// The customer cancels: a confirmed order becomes Cancelling (its compensations start from the event); a
    /// repeat while it is Cancelling or once it is Cancelled is answered again. A placed order is refused: its
    /// fulfilment saga is still running and will confirm or cancel it, and cancelling under its feet would leave
    /// a late charge or reservation behind (the choreography has no one to undo them).
    /// </summary>
    public static TransitionResult RequestCancellation(Order order, string reason, DateTimeOffset now) => order.Status switch
    {
        OrderStatus.Confirmed => new TransitionResult.Changed(new OrderChange.CancellationRequested(order with
        {
            Status = OrderStatus.Cancelling,
            Version = order.Version + 1,
            CancellationRequestedAt = now,
            CancellationReason = reason,
            ReportedCompensations = [],
        })),
        OrderStatus.Cancelling or OrderStatus.Cancelled => new TransitionResult.AlreadyDone(order),
        OrderStatus.Placed => new TransitionResult.Refused(order,
            $"Order {order.OrderId} is still being fulfilled; it can be cancelled once it is confirmed (or it ends cancelled by itself)."),
        _ => throw new InvalidOperationException($"order {order.OrderId} is not placed yet"),
    };

    /// <summary>Every compensation a choreographed cancellation waits for before the order is Cancelled.</summary>
    public static IReadOnlyList<CancellationCompensation> RequiredCompensations { get; } =
        [CancellationCompensation.Refund, CancellationCompensation.Restock];

    /// <summary>
    /// A participant reports a compensation of the cancellation done (choreography). Reports arrive in any order
    /// and more than once: each is noted once, and the last missing one completes the cancellation.
    /// </summary>
    public static TransitionResult ReportCompensation(Order order, CancellationCompensation compensation, DateTimeOffset now)
    {
        if (order.Status == OrderStatus.Cancelled)
        {
            return new TransitionResult.AlreadyDone(order);
        }

        if (order.Status != OrderStatus.Cancelling)
        {
            return new TransitionResult.Refused(order, $"Order {order.OrderId} is {order.Status}, not being cancelled.");
        }

        var reported = order.ReportedCompensations ?? [];
        if (reported.Contains(compensation))
        {
            return new TransitionResult.AlreadyDone(order);
        }

        var noted = order with { ReportedCompensations = [.. reported.Append(compensation).Order()] };
        return RequiredCompensations.All(noted.ReportedCompensations.Contains)
            ? new TransitionResult.Changed(Complete(noted, now))
            : new TransitionResult.Noted(noted);
    }

    private static OrderChange.Cancelled Complete(Order cancelling, DateTimeOffset now) =>
        new(cancelling with { Status = OrderStatus.Cancelled, Version = cancelling.Version + 1, CancelledAt = now });
}

/// <summary>
/// A short exclusive right to write one order, taken with a single-key conditional write before the outbox
/// transaction (see services/Orders/README.md: a failed transaction still publishes on Redis).
/// </summary>
public sealed record WriteLease(Guid Token, DateTimeOffset Until)
{
    public bool IsHeldAt(DateTimeOffset now) => now < Until;
}
