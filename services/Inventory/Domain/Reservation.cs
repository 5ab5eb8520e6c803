using System.Text.Json.Serialization;

namespace Inventory.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<ReservationStatus>))]
public enum ReservationStatus
{
    /// <summary>Recorded first; its lines are being taken. Not final: a repeat of reserve (or resume) finishes it.</summary>
    Pending,
    Reserved,
    Rejected,
    Released,
    Committed,

    /// <summary>The order was cancelled after its units left the warehouse: they are back in available stock.</summary>
    Returned,
}

public sealed record ReservationLine(string Sku, int Quantity);

public sealed record Shortage(string Sku, int Requested, long Available);

/// <summary>
/// The reservation of one order (key = order id). Each change of status bumps <see cref="Version"/> and sets
/// <see cref="EventPending"/>: the status is decided (and its SKU lines settled) before its event goes out
/// through the outbox, which clears the flag. No other transition starts while an event is pending.
/// <see cref="ReservedAt"/> keeps when it was reserved after a commit or release moved <see cref="UpdatedAt"/> on, so
/// the read side's rebuild can restore the StockReserved it saw (null on records written before it existed);
/// <see cref="CommittedAt"/> likewise keeps the StockCommitted that a return (customer cancellation) moved on from.
/// </summary>
public sealed record Reservation(
    string OrderId,
    IReadOnlyList<ReservationLine> Lines,
    ReservationStatus Status,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool EventPending,
    string? Reason,
    IReadOnlyList<Shortage> Shortages,
    DateTimeOffset? ReservedAt = null,
    DateTimeOffset? CommittedAt = null)
{
    public const string ExpiredReason = "the reservation stayed pending past its deadline";
    public const string InsufficientStockReason = "insufficient stock";
    public const string ReleasedBeforeReserveReason = "released before it was reserved";

    /// <summary>A new reservation, written before any stock is taken. Its lines must be normalized.</summary>
    public static Reservation Start(string orderId, IReadOnlyList<ReservationLine> normalizedLines, DateTimeOffset now) =>
        new(orderId, normalizedLines, ReservationStatus.Pending, 1, now, now, EventPending: false, Reason: null, Shortages: []);

    /// <summary>A release that found no reservation leaves this, so a late reserve of the same order is refused.</summary>
    public static Reservation ReleasedTombstone(string orderId, DateTimeOffset now) =>
        new(orderId, [], ReservationStatus.Released, 1, now, now, EventPending: true, ReleasedBeforeReserveReason, []);

    public bool IsStale(DateTimeOffset now, TimeSpan pendingDeadline) => Status == ReservationStatus.Pending && now - CreatedAt > pendingDeadline;

    /// <summary>Whether a repeat of the reserve request asks for the same thing (lines normalized on both sides).</summary>
    public bool HasLines(IReadOnlyList<ReservationLine> normalizedLines) => Lines.SequenceEqual(normalizedLines);

    public Reservation Reserve(DateTimeOffset now) => Move(ReservationStatus.Reserved, now, from: [ReservationStatus.Pending]) with { ReservedAt = now };

    public Reservation Reject(IReadOnlyList<Shortage> shortages, string reason, DateTimeOffset now) =>
        Move(ReservationStatus.Rejected, now, from: [ReservationStatus.Pending]) with { Shortages = shortages, Reason = reason };

    public Reservation Release(DateTimeOffset now) =>
        Move(ReservationStatus.Released, now, from: [ReservationStatus.Pending, ReservationStatus.Reserved]);

    public Reservation Commit(DateTimeOffset now) => Move(ReservationStatus.Committed, now, from: [ReservationStatus.Reserved]) with { CommittedAt = now };

    /// <summary>A customer cancelled the confirmed order: the committed units come back to available.</summary>
    public Reservation Return(DateTimeOffset now) => Move(ReservationStatus.Returned, now, from: [ReservationStatus.Committed]);

    /// <summary>The outbox transaction that carried this status's event also writes this.</summary>
    public Reservation Published() => EventPending
        ? this with { EventPending = false }
        : throw new InvalidOperationException($"reservation {OrderId} has no pending event");

    /// <summary>The SKU-side work a status needs before its event may go out.</summary>
    public LineSettlement Settlement => Status switch
    {
        ReservationStatus.Rejected or ReservationStatus.Released => LineSettlement.GiveBack,
        ReservationStatus.Committed => LineSettlement.Commit,
        ReservationStatus.Returned => LineSettlement.Return,
        _ => LineSettlement.None,
    };

    private Reservation Move(ReservationStatus to, DateTimeOffset now, ReservationStatus[] from)
    {
        if (EventPending)
        {
            throw new InvalidOperationException($"reservation {OrderId} still has the event of {Status} to publish");
        }

        if (!from.Contains(Status))
        {
            throw new InvalidOperationException($"reservation {OrderId} cannot go from {Status} to {to}");
        }

        return this with { Status = to, Version = Version + 1, UpdatedAt = now, EventPending = true };
    }
}

public enum LineSettlement
{
    None,
    GiveBack,
    Commit,

    /// <summary>Committed units come back to available (a customer cancellation).</summary>
    Return,
}

/// <summary>Line rules of a reserve request.</summary>
public static class ReservationLines
{
    /// <summary>Sorted by SKU ordinal: every taker walks the SKUs in the same order. Null when a SKU appears twice.</summary>
    public static IReadOnlyList<ReservationLine>? Normalize(IEnumerable<ReservationLine> lines)
    {
        var sorted = lines.OrderBy(l => l.Sku, StringComparer.Ordinal).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (string.Equals(sorted[i - 1].Sku, sorted[i].Sku, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return sorted;
    }
}
