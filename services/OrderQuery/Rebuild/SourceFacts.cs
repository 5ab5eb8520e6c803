using OrderQuery.Domain;

namespace OrderQuery.Rebuild;

// Our copies of the fields we read from payments GET /payments/{orderId} and inventory GET /reservations/{orderId}
// (tolerant reader; statuses as strings, so a status we do not know is skipped instead of failing the rebuild).
internal sealed record PaymentCopy(
    string OrderId, string PaymentId, string CustomerId, decimal Amount, string Currency, string Status, long Version,
    DateTimeOffset UpdatedAt, string? FailureReason = null, string? RefundReason = null, DateTimeOffset? SucceededAt = null,
    DateTimeOffset? TimedOutAt = null);

internal sealed record ReservationLineCopy(string Sku, int Quantity);

internal sealed record ReservationCopy(
    string OrderId, string Status, long Version, IReadOnlyList<ReservationLineCopy> Lines, DateTimeOffset UpdatedAt,
    string? Reason = null, DateTimeOffset? ReservedAt = null, DateTimeOffset? CommittedAt = null);

/// <summary>
/// The facts the payments and inventory events carried, reconstructed from each record as its service reports it
/// now: same event ids ("&lt;payment id&gt;:&lt;version&gt;", "&lt;order id&gt;:&lt;version&gt;"), versions, timestamps and
/// reasons as the producers build them (services/Payments/Charges/PaymentModels.cs, services/Inventory/Contracts/
/// InventoryEvents.cs), so the projection yields the same summary and timeline as the live events did.
/// A record keeps only its latest status; the one earlier event a later status implies (PaymentSucceeded before
/// PaymentRefunded, StockReserved before StockCommitted/StockReleased) is restored from <c>succeededAt</c> /
/// <c>reservedAt</c>, at the version just below (each is the transition right before). Records written before those
/// fields existed lack them: that earlier timeline entry is then not restored. A choreographed charge that timed out
/// published PaymentFailed (the timeout's reason, kept as <c>failureReason</c>) at <c>timedOutAt</c>; a late approval
/// then PaymentRefunded, a late decline nothing — so TimedOut, and Failed or Refunded with <c>timedOutAt</c>, restore
/// that PaymentFailed (one version below the late outcome) and never a PaymentSucceeded.
/// </summary>
internal static class SourceFacts
{
    /// <summary>What inventory's StockRejected says when the reservation has no reason of its own (Reservation.InsufficientStockReason).</summary>
    public const string DefaultRejectionReason = "insufficient stock";

    public static IEnumerable<OrderFact> FactsOf(PaymentCopy payment)
    {
        PaymentFact Fact(PaymentState status, long version, DateTimeOffset at, string? reason) => new(
            $"{payment.PaymentId}:{version}", payment.OrderId, version, at, status, payment.CustomerId, payment.PaymentId, payment.Amount, payment.Currency, reason);

        if (payment.TimedOutAt is { } timedOutAt)
        {
            switch (payment.Status)
            {
                case "TimedOut":
                    yield return Fact(PaymentState.Failed, payment.Version, timedOutAt, payment.FailureReason ?? "");
                    break;
                case "Failed":
                    // The late decline was recorded without an event.
                    yield return Fact(PaymentState.Failed, payment.Version - 1, timedOutAt, payment.FailureReason ?? "");
                    break;
                case "Refunded":
                    yield return Fact(PaymentState.Failed, payment.Version - 1, timedOutAt, payment.FailureReason ?? "");
                    yield return Fact(PaymentState.Refunded, payment.Version, payment.UpdatedAt, payment.RefundReason ?? "");
                    break;
                default:
                    break;
            }

            yield break;
        }

        switch (payment.Status)
        {
            case "Succeeded":
                yield return Fact(PaymentState.Succeeded, payment.Version, payment.UpdatedAt, null);
                break;
            case "Failed":
                yield return Fact(PaymentState.Failed, payment.Version, payment.UpdatedAt, payment.FailureReason ?? "");
                break;
            case "Refunded":
                if (payment.SucceededAt is { } succeededAt)
                {
                    yield return Fact(PaymentState.Succeeded, payment.Version - 1, succeededAt, null);
                }

                yield return Fact(PaymentState.Refunded, payment.Version, payment.UpdatedAt, payment.RefundReason ?? "");
                break;
            default:
                // Pending: no event went out yet.
                break;
        }
    }

    public static IEnumerable<OrderFact> FactsOf(ReservationCopy reservation)
    {
        var units = reservation.Lines.Sum(l => l.Quantity);
        StockFact Fact(StockState status, long version, DateTimeOffset at, int eventUnits, string? reason) =>
            new($"{reservation.OrderId}:{version}", reservation.OrderId, version, at, status, eventUnits, reason);

        switch (reservation.Status)
        {
            case "Reserved":
                yield return Fact(StockState.Reserved, reservation.Version, reservation.UpdatedAt, units, null);
                break;
            case "Rejected":
                // StockRejected carries shortages, not lines: the live projection counts 0 units for it.
                yield return Fact(StockState.Rejected, reservation.Version, reservation.UpdatedAt, 0, reservation.Reason ?? DefaultRejectionReason);
                break;
            case "Released" or "Committed":
                if (reservation.ReservedAt is { } reservedAt)
                {
                    yield return Fact(StockState.Reserved, reservation.Version - 1, reservedAt, units, null);
                }

                yield return Fact(reservation.Status == "Released" ? StockState.Released : StockState.Committed, reservation.Version, reservation.UpdatedAt, units, null);
                break;
            case "Returned":
                // Reserved → Committed → Returned: the two events before are at the two versions below.
                if (reservation.ReservedAt is { } reservedBeforeReturn)
                {
                    yield return Fact(StockState.Reserved, reservation.Version - 2, reservedBeforeReturn, units, null);
                }

                if (reservation.CommittedAt is { } committedAt)
                {
                    yield return Fact(StockState.Committed, reservation.Version - 1, committedAt, units, null);
                }

                yield return Fact(StockState.Returned, reservation.Version, reservation.UpdatedAt, units, null);
                break;
            default:
                // Pending: nothing decided, no event.
                break;
        }
    }
}
