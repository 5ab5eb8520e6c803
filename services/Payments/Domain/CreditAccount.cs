using System.Text.Json.Serialization;

namespace Payments.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<CreditEntryStatus>))]
public enum CreditEntryStatus
{
    /// <summary>The order's points are in the balance.</summary>
    Awarded,
    /// <summary>The order's points were awarded and taken back.</summary>
    Revoked,
    /// <summary>The revocation came first (compensation overtook the award): a later award is not applied.</summary>
    RevokedBeforeAward,
}

/// <summary>What the account has processed for one order (DESIGN 5.2: the aggregate records what it has processed).</summary>
public sealed record CreditEntry(int Points, CreditEntryStatus Status, DateTimeOffset UpdatedAt);

/// <summary>
/// How long the account remembers an order it has processed, and how many orders at most. An award or
/// revocation for an order forgotten by then is treated as new: the retention must exceed the longest time a
/// compensation or a redelivered award can arrive late (saga deadlines, delivery retries).
/// </summary>
public sealed record CreditLedgerPolicy(TimeSpan Retention, int MaxEntries);

/// <summary>A customer's credit points (key: the customer id), with the orders it has applied or revoked.</summary>
public sealed record CreditAccount(string CustomerId, long Balance, long Version, IReadOnlyDictionary<string, CreditEntry> Orders)
{
    public static CreditAccount Open(string customerId) => new(customerId, 0, 0, new Dictionary<string, CreditEntry>(StringComparer.Ordinal));

    /// <summary>Award points for an order, once; a second award for the order is answered, not applied.</summary>
    public CreditDecision Award(string orderId, int points, DateTimeOffset now, CreditLedgerPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        if (Orders.TryGetValue(orderId, out var entry))
        {
            return entry.Status == CreditEntryStatus.RevokedBeforeAward || entry.Points == points
                ? new CreditDecision.Unchanged(this, orderId, entry)
                : new CreditDecision.Rejected($"Order '{orderId}' was already awarded {entry.Points} points, not {points}.");
        }

        var awarded = new CreditEntry(points, CreditEntryStatus.Awarded, now);
        return new CreditDecision.Applied(With(orderId, awarded, Balance + points, now, policy), orderId, awarded, CreditChange.Awarded, points);
    }

    /// <summary>
    /// Take back exactly what the order's award gave, once. A revocation for an order not awarded yet is
    /// recorded (0 points taken) so that the late award is not applied.
    /// </summary>
    public CreditDecision Revoke(string orderId, DateTimeOffset now, CreditLedgerPolicy policy)
    {
        if (Orders.TryGetValue(orderId, out var entry))
        {
            if (entry.Status != CreditEntryStatus.Awarded)
            {
                return new CreditDecision.Unchanged(this, orderId, entry);
            }

            var revoked = entry with { Status = CreditEntryStatus.Revoked, UpdatedAt = now };
            return new CreditDecision.Applied(With(orderId, revoked, Balance - entry.Points, now, policy), orderId, revoked, CreditChange.Revoked, entry.Points);
        }

        var tombstone = new CreditEntry(0, CreditEntryStatus.RevokedBeforeAward, now);
        return new CreditDecision.Applied(With(orderId, tombstone, Balance, now, policy), orderId, tombstone, CreditChange.Revoked, 0);
    }

    private CreditAccount With(string orderId, CreditEntry entry, long balance, DateTimeOffset now, CreditLedgerPolicy policy)
    {
        var horizon = now - policy.Retention;
        var kept = Orders
            .Where(pair => pair.Key != orderId && pair.Value.UpdatedAt >= horizon)
            .OrderByDescending(pair => pair.Value.UpdatedAt)
            .Take(policy.MaxEntries - 1)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        kept[orderId] = entry;
        return this with { Balance = balance, Version = Version + 1, Orders = kept };
    }
}

public enum CreditChange
{
    Awarded,
    Revoked,
}

public abstract record CreditDecision
{
    private CreditDecision()
    {
    }

    /// <summary>The account changed: persist it with its event.</summary>
    public sealed record Applied(CreditAccount Account, string OrderId, CreditEntry Entry, CreditChange Change, int Points) : CreditDecision;

    /// <summary>Already processed: answer again, write nothing.</summary>
    public sealed record Unchanged(CreditAccount Account, string OrderId, CreditEntry Entry) : CreditDecision;

    /// <summary>The same order with different points: a different request, not a retry.</summary>
    public sealed record Rejected(string Reason) : CreditDecision;
}
