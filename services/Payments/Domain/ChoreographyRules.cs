namespace Payments.Domain;

/// <summary>
/// The local copy of an order that payments keeps from OrderPlaced (event-carried state transfer): the charge
/// needs customer, amount and currency, and the saga mode tells whether the choreographed saga is ours to run.
/// <see cref="ReviewRequired"/>: orders holds the order for a manual review; it is charged only once approved.
/// </summary>
public sealed record SagaOrder(
    string OrderId, string CustomerId, string SagaMode, decimal Total, string Currency, long Version, DateTimeOffset ReceivedAt, bool ReviewRequired = false);

/// <summary>
/// The two facts a reviewed order's charge waits for, each recorded by its own event (StockReserved, OrderReviewed
/// approved) under its own key. Each handler records its fact and then reads the other: whichever comes second
/// sees both (both may, on a race — the charge is idempotent per order).
/// </summary>
public sealed record ChargeGate(bool StockReserved, bool Approved);

/// <summary>What the payments participant does with a saga event.</summary>
public abstract record SagaStep
{
    private SagaStep()
    {
    }

    /// <summary>The order's copy has not arrived yet: answer RETRY so the delivery comes back after it.</summary>
    public sealed record Wait(string Why) : SagaStep;

    /// <summary>Not ours to act on: acknowledge, change nothing.</summary>
    public sealed record Skip(string Why) : SagaStep;

    public sealed record Charge(string OrderId, string CustomerId, decimal Amount, string Currency) : SagaStep;

    /// <summary>Recorded, not charged yet: the other fact of the <see cref="ChargeGate"/> is missing. Acknowledge.</summary>
    public sealed record Hold(string Why) : SagaStep;

    public sealed record Award(string CustomerId, string OrderId, int Points) : SagaStep;

    /// <summary>A customer cancelled the confirmed order: revoke its credit points, then refund its payment.</summary>
    public sealed record Compensate(string CustomerId, string OrderId) : SagaStep;
}

public enum RefundVerdict
{
    Done,
    NotYet,
    Contradiction,
}

/// <summary>The payments side of the choreographed saga (DESIGN §3) as pure decisions.</summary>
public static class ChoreographyRules
{
    public const string Choreography = "Choreography";

    /// <summary>The most points one award may carry (the credit API's limit).</summary>
    public const int MaxPointsPerOrder = 1_000_000;

    public static bool IsChoreographed(SagaOrder order) => string.Equals(order.SagaMode, Choreography, StringComparison.Ordinal);

    /// <summary>
    /// The skip of an event that names another saga mode than the choreographed one (an order's mode never changes);
    /// null when it names this one or none, so the copy of the order decides.
    /// </summary>
    public static SagaStep.Skip? SkipAnotherSaga(string? eventSagaMode) =>
        eventSagaMode is null || string.Equals(eventSagaMode, Choreography, StringComparison.Ordinal) ? null : new SagaStep.Skip($"the order runs the {eventSagaMode} saga");

    /// <summary>
    /// StockReserved → charge the order. Without the copy we cannot tell the amount nor even the mode, so the
    /// event waits for its OrderPlaced (delivery retries); orchestrated orders are charged by their workflow.
    /// </summary>
    public static SagaStep OnStockReserved(SagaOrder? order, ChargeGate gate) => order switch
    {
        null => new SagaStep.Wait("OrderPlaced of this order has not arrived yet"),
        _ when !IsChoreographed(order) => new SagaStep.Skip($"the order runs the {order.SagaMode} saga"),
        { ReviewRequired: true } when !gate.Approved => new SagaStep.Hold("the order waits for its review; charged once approved"),
        _ => ChargeOf(order),
    };

    /// <summary>Whether this order's charge waits for a review approval (so its facts must be recorded).</summary>
    public static bool AwaitsApproval(SagaOrder? order) => order is { ReviewRequired: true } && IsChoreographed(order);

    /// <summary>
    /// OrderReviewed → charge an approved order whose stock is reserved; otherwise hold until StockReserved comes.
    /// Without the copy we cannot tell whether the order needs the approval, so the event waits for its OrderPlaced.
    /// A rejection never comes as OrderReviewed (orders cancels the order: OrderCancelled); were one to come, it
    /// charges nothing.
    /// </summary>
    public static SagaStep OnOrderReviewed(SagaOrder? order, bool approved, ChargeGate gate) => order switch
    {
        null => new SagaStep.Wait("OrderPlaced of this order has not arrived yet"),
        _ when !IsChoreographed(order) => new SagaStep.Skip($"the order runs the {order.SagaMode} saga"),
        { ReviewRequired: false } => new SagaStep.Skip("the order needs no review"),
        _ when !approved => new SagaStep.Skip("the review did not approve the order"),
        _ when !gate.StockReserved => new SagaStep.Hold("approved; charged once its stock is reserved"),
        _ => ChargeOf(order),
    };

    private static SagaStep.Charge ChargeOf(SagaOrder order) => new(order.OrderId, order.CustomerId, order.Total, order.Currency);

    /// <summary>
    /// OrderConfirmed → award floor(total) points. A choreographed order is confirmed only after payments charged
    /// it, which needed the copy: no copy therefore means not a choreographed order of ours, not "too early".
    /// </summary>
    public static SagaStep OnOrderConfirmed(SagaOrder? order) => order switch
    {
        null => new SagaStep.Skip("no copy of the order: payments did not charge it in the choreographed saga"),
        _ when !IsChoreographed(order) => new SagaStep.Skip($"the order runs the {order.SagaMode} saga"),
        _ when CreditPoints(order.Total) == 0 => new SagaStep.Skip("the order total earns no points"),
        _ => new SagaStep.Award(order.CustomerId, order.OrderId, CreditPoints(order.Total)),
    };

    /// <summary>
    /// OrderCancellationRequested → revoke the order's credit, then refund it. The revocation goes first so that
    /// PaymentRefunded — the report orders waits for — implies the credit is revoked too (a revocation before the
    /// award is remembered, so a late OrderConfirmed awards nothing). As for OrderConfirmed, no copy means payments
    /// did not charge the order in the choreographed saga.
    /// </summary>
    public static SagaStep OnOrderCancellationRequested(SagaOrder? order) => order switch
    {
        null => new SagaStep.Skip("no copy of the order: payments did not charge it in the choreographed saga"),
        _ when !IsChoreographed(order) => new SagaStep.Skip($"the order runs the {order.SagaMode} saga"),
        _ => new SagaStep.Compensate(order.CustomerId, order.OrderId),
    };

    /// <summary>
    /// How the refund a cancellation asked for ended, as the consumer answers it. Refunded (now or before) is done;
    /// a payment still pending at the gateway settles soon, so retry; a declined or missing payment contradicts a
    /// confirmed order and goes to the dead-letter topic for the reconciliation job.
    /// </summary>
    public static RefundVerdict AfterRefund(PaymentStatus? status) => status switch
    {
        PaymentStatus.Refunded => RefundVerdict.Done,
        PaymentStatus.Pending or PaymentStatus.Succeeded => RefundVerdict.NotYet,
        _ => RefundVerdict.Contradiction,
    };

    /// <summary>One point per whole unit of the order total (floor), at most <see cref="MaxPointsPerOrder"/>.</summary>
    public static int CreditPoints(decimal total) =>
        total <= 0 ? 0 : (int)Math.Min(decimal.Floor(total), MaxPointsPerOrder);
}
