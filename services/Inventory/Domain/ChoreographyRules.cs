using System.Text.RegularExpressions;

namespace Inventory.Domain;

/// <summary>
/// Inventory's record that it saw an order placed in the choreographed saga (learned from OrderPlaced, written
/// before the reservation, so it exists before any event the reservation causes).
/// </summary>
public sealed record SagaParticipation(string OrderId, DateTimeOffset RecordedAt);

public enum SagaReaction
{
    /// <summary>Not an order of the choreographed saga that inventory knows: acknowledge, change nothing.</summary>
    Ignore,
    Reserve,

    /// <summary>The compensation after PaymentFailed.</summary>
    Release,

    /// <summary>The order is confirmed: its units leave the warehouse.</summary>
    Commit,

    /// <summary>The customer cancelled the confirmed order: its committed units come back to available.</summary>
    Return,
}

public enum ReturnVerdict
{
    Done,
    NotYet,
    Contradiction,
}

/// <summary>The inventory side of the choreographed saga (DESIGN §3) as pure decisions.</summary>
public static partial class ChoreographyRules
{
    public const string Choreography = "Choreography";

    /// <summary>The largest quantity of one line (as the reserve API accepts).</summary>
    public const int MaxQuantityPerLine = 1_000_000;

    public static SagaReaction OnOrderPlaced(string sagaMode) =>
        string.Equals(sagaMode, Choreography, StringComparison.Ordinal) ? SagaReaction.Reserve : SagaReaction.Ignore;

    /// <summary>
    /// True when an event names another saga mode than the choreographed one: its order is not ours, whatever the
    /// marker says (an order's mode never changes). False when it names this one or none, so the marker decides.
    /// </summary>
    public static bool RunsAnotherSaga(string? eventSagaMode) =>
        eventSagaMode is not null && !string.Equals(eventSagaMode, Choreography, StringComparison.Ordinal);

    /// <summary>Only an order inventory saw placed in the choreographed saga is released: the others belong to their workflow.</summary>
    public static SagaReaction OnPaymentFailed(SagaParticipation? participation) => participation is null ? SagaReaction.Ignore : SagaReaction.Release;

    /// <summary>
    /// OrderCancelled of a choreographed order releases its reservation: needed when a review rejected or expired it
    /// (nobody else releases then), a no-op for the other reasons (stock rejected, payment failed: already released;
    /// a customer cancellation: the units were returned). The event's own saga mode counts too, because it can
    /// overtake the OrderPlaced that leaves the participation: the release then leaves a tombstone and the late
    /// reserve is refused, so no stock leaks.
    /// </summary>
    public static SagaReaction OnOrderCancelled(SagaParticipation? participation, string? sagaMode) =>
        participation is not null || string.Equals(sagaMode, Choreography, StringComparison.Ordinal) ? SagaReaction.Release : SagaReaction.Ignore;

    public static SagaReaction OnOrderConfirmed(SagaParticipation? participation) => participation is null ? SagaReaction.Ignore : SagaReaction.Commit;

    /// <summary>A customer cancellation of a choreographed order restocks it; an orchestrated one is restocked by its workflow.</summary>
    public static SagaReaction OnOrderCancellationRequested(SagaParticipation? participation) => participation is null ? SagaReaction.Ignore : SagaReaction.Return;

    /// <summary>
    /// How a return that a cancellation asked for ended, as the consumer answers it: Returned is done; Reserved or
    /// Pending means the commit of the confirmed order has not landed yet (the OrderConfirmed delivery can come
    /// after the cancellation's), so wait for it; Released or Rejected contradict a confirmed order (nothing ever
    /// left the warehouse, and no StockReturned will report the restock) and go to the reconciliation job.
    /// </summary>
    public static ReturnVerdict AfterReturn(ReservationStatus? status) => status switch
    {
        ReservationStatus.Returned => ReturnVerdict.Done,
        ReservationStatus.Reserved or ReservationStatus.Pending or ReservationStatus.Committed => ReturnVerdict.NotYet,
        _ => ReturnVerdict.Contradiction,
    };

    /// <summary>
    /// The lines of an OrderPlaced as a reservation (normalized), or why they cannot be one: the same rules as the
    /// reserve API's (1 to <paramref name="maxLines"/> lines, valid SKUs, positive quantities, each SKU once).
    /// </summary>
    public static (IReadOnlyList<ReservationLine>? Lines, string? Problem) LinesToReserve(IReadOnlyList<ReservationLine>? lines, int maxLines)
    {
        if (lines is null || lines.Count == 0)
        {
            return (null, "the order has no lines");
        }

        if (lines.Count > maxLines)
        {
            return (null, $"the order has {lines.Count} lines, more than the {maxLines} a reservation may have");
        }

        if (lines.FirstOrDefault(l => l.Sku is null || !SkuRegex().IsMatch(l.Sku)) is { } badSku)
        {
            return (null, $"'{badSku.Sku}' is not a valid SKU");
        }

        if (lines.FirstOrDefault(l => l.Quantity is < 1 or > MaxQuantityPerLine) is { } badQuantity)
        {
            return (null, $"the quantity {badQuantity.Quantity} of {badQuantity.Sku} is out of range");
        }

        return ReservationLines.Normalize(lines) is { } normalized ? (normalized, null) : (null, "a SKU appears twice");
    }

    [GeneratedRegex(Identifiers.Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex SkuRegex();
}
