using System.Globalization;

namespace OrderQuery.Domain;

/// <summary>The pure rules of the order summary: version guard per source aggregate, saga status, timeline.</summary>
public static class OrderProjection
{
    /// <summary>
    /// The summary after <paramref name="fact"/>. Facts that never change (lines, total, timestamps, ids) always fill
    /// in; a status moves only when the fact's aggregate version is newer than the last one applied for that aggregate.
    /// Applying the same fact twice yields the same summary.
    /// </summary>
    public static OrderSummary Apply(OrderSummary current, OrderFact fact)
    {
        var next = fact switch
        {
            OrderPlacedFact p => Guarded(
                current with { CustomerId = p.CustomerId, SagaMode = p.SagaMode, Lines = p.Lines, Currency = p.Currency, Total = p.Total, PlacedAt = p.OccurredAt },
                p.Version,
                s => s with { OrderStatus = OrderState.Placed }),
            OrderConfirmedFact c => Guarded(
                current with { CustomerId = current.CustomerId ?? c.CustomerId, ConfirmedAt = c.OccurredAt },
                c.Version,
                s => s with { OrderStatus = OrderState.Confirmed }),
            OrderCancellationRequestedFact r => Guarded(
                current with { CustomerId = current.CustomerId ?? r.CustomerId, CancellationReason = current.CancellationReason ?? r.Reason },
                r.Version,
                s => s with { OrderStatus = OrderState.Cancelling }),
            // The order stays Placed; only its version moves on (so an older event cannot move it back).
            OrderReviewedFact v => Guarded(current with { CustomerId = current.CustomerId ?? v.CustomerId }, v.Version, s => s),
            OrderCancelledFact x => Guarded(
                current with { CustomerId = current.CustomerId ?? x.CustomerId, CancelledAt = x.OccurredAt, CancellationReason = x.Reason },
                x.Version,
                s => s with { OrderStatus = OrderState.Cancelled }),
            PaymentFact p => p.Version > current.PaymentVersion
                ? current with
                {
                    CustomerId = current.CustomerId ?? p.CustomerId,
                    Currency = current.Currency ?? p.Currency,
                    PaymentId = p.PaymentId,
                    PaymentAmount = p.Amount,
                    PaymentStatus = p.Status,
                    PaymentReason = p.Reason,
                    PaymentVersion = p.Version,
                }
                : current with { CustomerId = current.CustomerId ?? p.CustomerId, PaymentId = current.PaymentId ?? p.PaymentId, PaymentAmount = current.PaymentAmount ?? p.Amount },
            StockFact s => s.Version > current.StockVersion
                ? current with { StockStatus = s.Status, StockReason = s.Reason, StockVersion = s.Version }
                : current,
            CreditFact => current,
            _ => throw new ArgumentOutOfRangeException(nameof(fact), fact.GetType().Name, "unknown fact"),
        };

        var (status, reason) = DeriveSagaStatus(next);
        return next with { SagaStatus = status, SagaReason = reason, Timeline = AddToTimeline(current.Timeline, TimelineEntryOf(fact)) };

        OrderSummary Guarded(OrderSummary filled, long version, Func<OrderSummary, OrderSummary> move) =>
            version > current.OrderVersion ? move(filled) with { OrderVersion = version } : filled;
    }

    /// <summary>
    /// The saga status the events imply, most advanced first: the order's own terminal status wins, then a payment
    /// that stands (not refunded), then stock held for the order, then the order being placed.
    /// </summary>
    public static (SagaStatus Status, string? Reason) DeriveSagaStatus(OrderSummary s) => s switch
    {
        { OrderStatus: OrderState.Cancelled } => (SagaStatus.Cancelled, s.CancellationReason ?? s.PaymentReason ?? s.StockReason),
        { OrderStatus: OrderState.Cancelling } => (SagaStatus.Cancelling, s.CancellationReason),
        { OrderStatus: OrderState.Confirmed } => (SagaStatus.Confirmed, null),
        { PaymentStatus: PaymentState.Succeeded } => (SagaStatus.Paid, null),
        { StockStatus: StockState.Reserved or StockState.Committed } => (SagaStatus.Reserved, null),
        { OrderStatus: OrderState.Placed } => (SagaStatus.Placed, null),
        _ => (SagaStatus.Pending, null),
    };

    /// <summary>The timeline with the entry added once (by source and event id), in the order the events happened.</summary>
    public static IReadOnlyList<TimelineEntry> AddToTimeline(IReadOnlyList<TimelineEntry> timeline, TimelineEntry entry) =>
        timeline.Any(e => e.Source == entry.Source && e.EventId == entry.EventId)
            ? timeline
            : [.. timeline.Append(entry).OrderBy(e => e.OccurredAt).ThenBy(e => e.EventType, StringComparer.Ordinal).ThenBy(e => e.Version).ThenBy(e => e.EventId, StringComparer.Ordinal)];

    public static TimelineEntry TimelineEntryOf(OrderFact fact) => new(fact.Source, fact.EventId, fact.EventType, fact.Version, fact.OccurredAt, fact switch
    {
        OrderPlacedFact p => string.Create(CultureInfo.InvariantCulture, $"{p.Lines.Count} line(s), total {p.Total} {p.Currency}, {p.SagaMode}"),
        OrderConfirmedFact => "order confirmed",
        OrderCancellationRequestedFact r => $"cancellation requested: {r.Reason}",
        OrderReviewedFact v => $"review approved by {v.Reviewer}",
        OrderCancelledFact x => $"order cancelled: {x.Reason}",
        PaymentFact p => string.Create(CultureInfo.InvariantCulture, $"payment {p.PaymentId} {p.Status.ToString().ToLowerInvariant()}: {p.Amount} {p.Currency}") + (p.Reason is null ? "" : $" ({p.Reason})"),
        StockFact s => string.Create(CultureInfo.InvariantCulture, $"stock {s.Status.ToString().ToLowerInvariant()}: {s.Units} unit(s)") + (s.Reason is null ? "" : $" ({s.Reason})"),
        CreditFact c => string.Create(CultureInfo.InvariantCulture, $"{c.Points} credit point(s) {(c.Awarded ? "awarded" : "revoked")}"),
        _ => fact.EventType,
    });
}
