using System.Text.Json.Serialization;

namespace Inventory.Domain;

/// <summary>What one SKU record remembers about one order: how many units, and whether they are still held.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HoldState>))]
public enum HoldState
{
    /// <summary>The units are reserved for the order.</summary>
    Held,

    /// <summary>The order's units went back to available (or were never taken): the order may not take them again.</summary>
    Released,

    /// <summary>The order's units left the warehouse.</summary>
    Committed,

    /// <summary>The order's committed units came back to available (the order was cancelled after confirmation).</summary>
    Returned,
}

public sealed record Hold(int Quantity, HoldState State, DateTimeOffset ChangedAt);

/// <summary>The outcome of one line taken from one SKU record.</summary>
public enum TakeOutcome
{
    Taken,
    AlreadyHeld,

    /// <summary>The order was already released, rejected or committed on this SKU: a late or stale attempt, refused.</summary>
    AlreadySettled,
    Insufficient,
}

public enum SettleOutcome
{
    Applied,
    AlreadyApplied,

    /// <summary>The SKU holds nothing for the order that could be committed (a broken invariant, never expected).</summary>
    NothingHeld,

    /// <summary>A release found the order's units already committed (they left the warehouse).</summary>
    AlreadyCommitted,

    /// <summary>A return found the order's units not committed here (still held, released, or never taken).</summary>
    NotCommitted,
}

/// <summary>
/// The stock of one SKU, changed one record at a time. <see cref="Holds"/> is the SKU's own memory of the orders
/// it reserved units for (and, for a while, of the orders it settled), so applying a line twice is a no-op and a
/// line of an order that is already released cannot be taken again. Conservation: Available + Reserved + Committed
/// = Restocked, and Reserved = the sum of held quantities.
/// </summary>
public sealed record StockItem(
    string Sku,
    long Available,
    long Reserved,
    long Committed,
    long Restocked,
    long Version,
    IReadOnlyDictionary<string, Hold> Holds,
    IReadOnlyList<string> RecentRestockIds)
{
    public static StockItem Empty(string sku) => new(sku, 0, 0, 0, 0, 0, new Dictionary<string, Hold>(StringComparer.Ordinal), []);

    /// <summary>Adds units once per restock id; the last <paramref name="keepRestockIds"/> ids are remembered.</summary>
    public (StockItem Next, bool Applied) Restock(int quantity, string restockId, DateTimeOffset now, int keepRestockIds, TimeSpan settledRetention)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (RecentRestockIds.Contains(restockId, StringComparer.Ordinal))
        {
            return (this, false);
        }

        var ids = RecentRestockIds.Append(restockId).TakeLast(keepRestockIds).ToList();
        return (Changed(now, settledRetention) with
        {
            Available = Available + quantity,
            Restocked = Restocked + quantity,
            RecentRestockIds = ids,
        }, true);
    }

    /// <summary>Reserves <paramref name="quantity"/> units for an order, unless it already holds them or was settled here.</summary>
    public (StockItem Next, TakeOutcome Outcome) Take(string orderId, int quantity, DateTimeOffset now, TimeSpan settledRetention)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (Holds.TryGetValue(orderId, out var hold))
        {
            return (this, hold.State == HoldState.Held ? TakeOutcome.AlreadyHeld : TakeOutcome.AlreadySettled);
        }

        if (Available < quantity)
        {
            return (this, TakeOutcome.Insufficient);
        }

        var next = Changed(now, settledRetention);
        return (next with
        {
            Available = Available - quantity,
            Reserved = Reserved + quantity,
            Holds = With(next.Holds, orderId, new Hold(quantity, HoldState.Held, now)),
        }, TakeOutcome.Taken);
    }

    /// <summary>
    /// Gives the order's units back. With nothing held it still records the order as released (a tombstone), so a
    /// stale or late attempt to take the line afterwards is refused.
    /// </summary>
    public (StockItem Next, SettleOutcome Outcome) Release(string orderId, DateTimeOffset now, TimeSpan settledRetention)
    {
        Holds.TryGetValue(orderId, out var hold);
        switch (hold?.State)
        {
            case HoldState.Released:
                return (this, SettleOutcome.AlreadyApplied);
            case HoldState.Committed:
                return (this, SettleOutcome.AlreadyCommitted);
            case HoldState.Held:
                var released = Changed(now, settledRetention);
                return (released with
                {
                    Available = Available + hold.Quantity,
                    Reserved = Reserved - hold.Quantity,
                    Holds = With(released.Holds, orderId, hold with { State = HoldState.Released, ChangedAt = now }),
                }, SettleOutcome.Applied);
            default:
                var tombstoned = Changed(now, settledRetention);
                return (tombstoned with { Holds = With(tombstoned.Holds, orderId, new Hold(0, HoldState.Released, now)) }, SettleOutcome.Applied);
        }
    }

    /// <summary>The order's held units leave the warehouse: reserved → committed.</summary>
    public (StockItem Next, SettleOutcome Outcome) Commit(string orderId, DateTimeOffset now, TimeSpan settledRetention)
    {
        Holds.TryGetValue(orderId, out var hold);
        switch (hold?.State)
        {
            case HoldState.Committed:
                return (this, SettleOutcome.AlreadyApplied);
            case HoldState.Held:
                var next = Changed(now, settledRetention);
                return (next with
                {
                    Reserved = Reserved - hold.Quantity,
                    Committed = Committed + hold.Quantity,
                    Holds = With(next.Holds, orderId, hold with { State = HoldState.Committed, ChangedAt = now }),
                }, SettleOutcome.Applied);
            default:
                return (this, SettleOutcome.NothingHeld);
        }
    }

    /// <summary>
    /// The order's committed units come back to available (restock of a cancelled order), once. A committed hold
    /// this record has already forgotten (older than the retention) is returned by the reservation's
    /// <paramref name="quantity"/>, as long as that many units are committed; the Returned hold written then
    /// keeps a repeat from returning them twice.
    /// </summary>
    public (StockItem Next, SettleOutcome Outcome) Return(string orderId, int quantity, DateTimeOffset now, TimeSpan settledRetention)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        Holds.TryGetValue(orderId, out var hold);
        var units = hold switch
        {
            { State: HoldState.Returned } => -1,
            { State: HoldState.Committed } => hold.Quantity,
            null when Committed >= quantity => quantity,
            _ => 0,
        };
        if (units < 0)
        {
            return (this, SettleOutcome.AlreadyApplied);
        }

        if (units == 0)
        {
            return (this, SettleOutcome.NotCommitted);
        }

        var next = Changed(now, settledRetention);
        return (next with
        {
            Available = Available + units,
            Committed = Committed - units,
            Holds = With(next.Holds, orderId, new Hold(units, HoldState.Returned, now)),
        }, SettleOutcome.Applied);
    }

    /// <summary>Every change bumps the version and forgets settled orders older than the retention.</summary>
    private StockItem Changed(DateTimeOffset now, TimeSpan settledRetention)
    {
        var cutoff = now - settledRetention;
        var kept = Holds.Where(h => h.Value.State == HoldState.Held || h.Value.ChangedAt >= cutoff)
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        return this with { Version = Version + 1, Holds = kept };
    }

    private static Dictionary<string, Hold> With(IReadOnlyDictionary<string, Hold> holds, string orderId, Hold hold) =>
        new(holds, StringComparer.Ordinal) { [orderId] = hold };
}
