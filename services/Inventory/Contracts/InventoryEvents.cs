using Inventory.Domain;

namespace Inventory.Contracts;

/// <summary>A line of a reservation as events carry it.</summary>
public sealed record StockLine(string Sku, int Quantity);

public sealed record StockShortage(string Sku, int Requested, long Available);

/// <summary>All lines of the order are reserved. Topic <c>inventory</c>, CloudEvent type <c>StockReserved</c>.</summary>
public sealed record StockReserved(string EventId, string OrderId, long Version, IReadOnlyList<StockLine> Lines, DateTimeOffset OccurredAt);

/// <summary>Nothing is reserved for the order (a line was short, or it was released before it was reserved, or it expired).</summary>
public sealed record StockRejected(string EventId, string OrderId, long Version, string Reason, IReadOnlyList<StockShortage> Shortages, DateTimeOffset OccurredAt);

/// <summary>The order's units are back in stock (the compensation). Lines are empty when nothing had been reserved.</summary>
public sealed record StockReleased(string EventId, string OrderId, long Version, IReadOnlyList<StockLine> Lines, DateTimeOffset OccurredAt);

/// <summary>The order's reserved units left the warehouse.</summary>
public sealed record StockCommitted(string EventId, string OrderId, long Version, IReadOnlyList<StockLine> Lines, DateTimeOffset OccurredAt);

/// <summary>The committed units of a cancelled order are back in available stock (the customer-cancellation compensation).</summary>
public sealed record StockReturned(string EventId, string OrderId, long Version, IReadOnlyList<StockLine> Lines, DateTimeOffset OccurredAt);

public static class InventoryEvents
{
    /// <summary>
    /// The event of the reservation's current status. Built only from the stored record, so every attempt to publish
    /// it (a retry, a resume, a duplicate outbox message) carries the same payload and the same <c>eventId</c>.
    /// </summary>
    public static (string Type, object Payload) For(Reservation reservation)
    {
        var eventId = $"{reservation.OrderId}:{reservation.Version}";
        var lines = reservation.Lines.Select(l => new StockLine(l.Sku, l.Quantity)).ToList();
        return reservation.Status switch
        {
            ReservationStatus.Reserved => (nameof(StockReserved), new StockReserved(eventId, reservation.OrderId, reservation.Version, lines, reservation.UpdatedAt)),
            ReservationStatus.Rejected => (nameof(StockRejected), new StockRejected(
                eventId,
                reservation.OrderId,
                reservation.Version,
                reservation.Reason ?? Reservation.InsufficientStockReason,
                [.. reservation.Shortages.Select(s => new StockShortage(s.Sku, s.Requested, s.Available))],
                reservation.UpdatedAt)),
            ReservationStatus.Released => (nameof(StockReleased), new StockReleased(eventId, reservation.OrderId, reservation.Version, lines, reservation.UpdatedAt)),
            ReservationStatus.Committed => (nameof(StockCommitted), new StockCommitted(eventId, reservation.OrderId, reservation.Version, lines, reservation.UpdatedAt)),
            ReservationStatus.Returned => (nameof(StockReturned), new StockReturned(eventId, reservation.OrderId, reservation.Version, lines, reservation.UpdatedAt)),
            _ => throw new InvalidOperationException($"a {reservation.Status} reservation has no event"),
        };
    }
}
