using Dapr;
using Inventory.Domain;
using Inventory.Stock;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Inventory.Reservations;

public enum ReserveOutcome
{
    /// <summary>This request recorded the reservation.</summary>
    Created,

    /// <summary>The reservation already existed (a replay, or a concurrent duplicate recorded it first).</summary>
    Existing,
    LinesDiffer,
    UnknownSku,
}

public sealed record ReserveResult(ReserveOutcome Outcome, Reservation? Reservation, IReadOnlyList<string> UnknownSkus);

/// <summary>
/// The reservation protocol (README "Design"): record Pending first, take the lines one SKU record at a time in
/// SKU order, decide the status with one ETag write, settle the SKU records the status needs, then publish its event
/// through the outbox. Every step is idempotent and starts from what is stored, so any request for the order
/// (a repeat of reserve, resume, release, commit) continues a request that crashed or lost a race.
/// </summary>
public sealed class ReservationProcess(
    ReservationStore reservations, StockStore stock, TimeProvider time, IOptions<InventoryOptions> options, ILogger<ReservationProcess> logger)
{
    private InventoryOptions Options => options.Value;

    /// <param name="lines">Normalized (<see cref="ReservationLines.Normalize"/>).</param>
    public async Task<ReserveResult> ReserveAsync(string orderId, IReadOnlyList<ReservationLine> lines, CancellationToken cancellationToken)
    {
        var created = false;
        for (var attempt = 1; ; attempt++)
        {
            var current = await reservations.GetAsync(orderId, cancellationToken);
            if (current is null)
            {
                var unknown = await UnknownSkusAsync(lines, cancellationToken);
                if (unknown.Count > 0)
                {
                    return new ReserveResult(ReserveOutcome.UnknownSku, null, unknown);
                }

                created = await reservations.TryCreateAsync(Reservation.Start(orderId, lines, time.GetUtcNow()), cancellationToken);
                if (created)
                {
                    logger.ReservationStarted(orderId, lines.Count);
                }

                ThrowIfExhausted(attempt, orderId);
                continue; // read it back: its ETag, or the record of whoever created it first
            }

            var isTombstone = current.Value is { Status: ReservationStatus.Released, Lines.Count: 0 };
            if (!isTombstone && !current.Value.HasLines(lines))
            {
                return new ReserveResult(ReserveOutcome.LinesDiffer, current.Value, []);
            }

            var final = await DriveAsync(current, cancellationToken);
            return new ReserveResult(created ? ReserveOutcome.Created : ReserveOutcome.Existing, final.Value, []);
        }
    }

    /// <summary>Finishes whatever the stored reservation is in the middle of (the resume the reconciliation job calls).</summary>
    public async Task<Reservation?> ResumeAsync(string orderId, CancellationToken cancellationToken) =>
        await reservations.GetAsync(orderId, cancellationToken) is { } current ? (await DriveAsync(current, cancellationToken)).Value : null;

    /// <summary>
    /// The compensation. A pending or reserved reservation becomes Released and its units go back; an absent one is
    /// recorded as a Released tombstone so a late reserve is refused; released or rejected ones stay as they are.
    /// Answers the reservation afterwards (Committed means refused: the units left the warehouse).
    /// </summary>
    public async Task<Reservation> ReleaseAsync(string orderId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfExhausted(attempt, orderId);
            var current = await reservations.GetAsync(orderId, cancellationToken);
            if (current is null)
            {
                await reservations.TryCreateAsync(Reservation.ReleasedTombstone(orderId, time.GetUtcNow()), cancellationToken);
                continue;
            }

            if (current.Value.EventPending)
            {
                await SettleAndPublishAsync(current, cancellationToken);
                continue;
            }

            if (current.Value.Status is ReservationStatus.Pending or ReservationStatus.Reserved)
            {
                // A Pending one is released without finishing it: the SKU tombstones stop any taker still running.
                if (!await MoveAsync(current, current.Value.Release(time.GetUtcNow()), attempt, cancellationToken))
                {
                    continue;
                }

                return (await DriveAsync(await reservations.GetRequiredAsync(orderId, cancellationToken), cancellationToken)).Value;
            }

            return current.Value;
        }
    }

    /// <summary>Reserved units leave the warehouse. Null when there is no reservation; otherwise the reservation afterwards.</summary>
    public async Task<Reservation?> CommitAsync(string orderId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfExhausted(attempt, orderId);
            if (await reservations.GetAsync(orderId, cancellationToken) is not { } stored)
            {
                return null;
            }

            var current = await DriveAsync(stored, cancellationToken);
            if (current.Value.Status != ReservationStatus.Reserved)
            {
                return current.Value;
            }

            if (await MoveAsync(current, current.Value.Commit(time.GetUtcNow()), attempt, cancellationToken))
            {
                return (await DriveAsync(await reservations.GetRequiredAsync(orderId, cancellationToken), cancellationToken)).Value;
            }
        }
    }

    /// <summary>
    /// The restock of a cancelled order: a Committed reservation becomes Returned and its units go back to
    /// available (StockReturned). Idempotent: a Returned one is answered as it is. Null when there is no
    /// reservation; otherwise the reservation afterwards (any status but Returned means nothing was returned).
    /// </summary>
    public async Task<Reservation?> ReturnAsync(string orderId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfExhausted(attempt, orderId);
            if (await reservations.GetAsync(orderId, cancellationToken) is not { } stored)
            {
                return null;
            }

            var current = await DriveAsync(stored, cancellationToken);
            if (current.Value.Status != ReservationStatus.Committed)
            {
                return current.Value;
            }

            if (await MoveAsync(current, current.Value.Return(time.GetUtcNow()), attempt, cancellationToken))
            {
                return (await DriveAsync(await reservations.GetRequiredAsync(orderId, cancellationToken), cancellationToken)).Value;
            }
        }
    }

    /// <summary>Runs the stored reservation forward until it rests: no event pending and not Pending.</summary>
    private async Task<Versioned<Reservation>> DriveAsync(Versioned<Reservation> current, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfExhausted(attempt, current.Value.OrderId);
            if (current.Value.EventPending)
            {
                current = await SettleAndPublishAsync(current, cancellationToken);
            }
            else if (current.Value.Status == ReservationStatus.Pending)
            {
                current = await CompletePendingAsync(current, cancellationToken);
            }
            else
            {
                return current;
            }
        }
    }

    /// <summary>Takes every line (idempotently, in SKU order), then decides Reserved or Rejected with one ETag write.</summary>
    private async Task<Versioned<Reservation>> CompletePendingAsync(Versioned<Reservation> current, CancellationToken cancellationToken)
    {
        var reservation = current.Value;
        var shortages = new List<Shortage>();
        string? expired = null;
        foreach (var line in reservation.Lines)
        {
            // Checked before every take: no line is taken after the deadline, so the SKU tombstones (kept longer)
            // always stop a taker that is still running for a reservation someone else settled.
            if (reservation.IsStale(time.GetUtcNow(), Options.PendingDeadline))
            {
                logger.PendingExpired(reservation.OrderId);
                expired = Reservation.ExpiredReason;
                break;
            }

            if (shortages.Count > 0)
            {
                // Already rejected: only look, to report every short line.
                var item = await stock.GetAsync(line.Sku, cancellationToken);
                var held = item is not null && item.Value.Holds.TryGetValue(reservation.OrderId, out var hold) && hold.State == HoldState.Held;
                if (!held && (item?.Value.Available ?? 0) < line.Quantity)
                {
                    shortages.Add(new Shortage(line.Sku, line.Quantity, item?.Value.Available ?? 0));
                }

                continue;
            }

            var (outcome, taken) = await stock.TakeAsync(line.Sku, reservation.OrderId, line.Quantity, cancellationToken);
            switch (outcome)
            {
                case TakeOutcome.Insufficient:
                    shortages.Add(new Shortage(line.Sku, line.Quantity, taken?.Value.Available ?? 0));
                    break;
                case TakeOutcome.AlreadySettled:
                    // Settled lines exist only after the reservation left Pending: another request got further.
                    logger.LineAlreadySettled(reservation.OrderId, line.Sku);
                    var moved = await reservations.GetRequiredAsync(reservation.OrderId, cancellationToken);
                    return moved.Value.Status == ReservationStatus.Pending
                        ? throw new InvalidOperationException($"{line.Sku} has settled reservation {reservation.OrderId}, which is still pending")
                        : moved;
            }
        }

        var now = time.GetUtcNow();
        var decided = expired is not null ? reservation.Reject([], expired, now)
            : shortages.Count > 0 ? reservation.Reject(shortages, Reservation.InsufficientStockReason, now)
            : reservation.Reserve(now);
        await MoveAsync(current, decided, attempt: 0, cancellationToken);
        return await reservations.GetRequiredAsync(reservation.OrderId, cancellationToken);
    }

    /// <summary>
    /// Makes the SKU records match the decided status (give back or commit every line; idempotent), then publishes
    /// the status's event through the outbox. A failed transaction is judged by re-reading: if the event is no longer
    /// pending someone else published it, otherwise the failure is real and thrown.
    /// </summary>
    private async Task<Versioned<Reservation>> SettleAndPublishAsync(Versioned<Reservation> current, CancellationToken cancellationToken)
    {
        var reservation = current.Value;
        if (reservation.Settlement != LineSettlement.None)
        {
            foreach (var line in reservation.Lines)
            {
                var (outcome, _) = await stock.SettleAsync(line.Sku, reservation.OrderId, line.Quantity, reservation.Settlement, cancellationToken);
                if (outcome is SettleOutcome.NothingHeld or SettleOutcome.AlreadyCommitted or SettleOutcome.NotCommitted)
                {
                    logger.SettlementMismatch(reservation.Settlement, reservation.OrderId, line.Sku, outcome);
                }
            }
        }

        try
        {
            var type = await reservations.PublishAsync(current, cancellationToken);
            logger.EventPublished(type, reservation.OrderId, reservation.Version);
        }
        catch (DaprException ex)
        {
            logger.PublishFailed(reservation.OrderId, reservation.Version, ex);
            var again = await reservations.GetRequiredAsync(reservation.OrderId, cancellationToken);
            if (again.ETag == current.ETag)
            {
                throw;
            }

            return again;
        }

        return await reservations.GetRequiredAsync(reservation.OrderId, cancellationToken);
    }

    private async Task<bool> MoveAsync(Versioned<Reservation> current, Reservation next, int attempt, CancellationToken cancellationToken)
    {
        if (await reservations.TryReplaceAsync(current, next, cancellationToken))
        {
            logger.ReservationMoved(next.OrderId, next.Status, next.Version);
            return true;
        }

        logger.WriteConflict(ReservationStore.Key(next.OrderId), attempt);
        await StoreWrites.BackoffAsync(attempt, cancellationToken);
        return false;
    }

    private async Task<List<string>> UnknownSkusAsync(IReadOnlyList<ReservationLine> lines, CancellationToken cancellationToken)
    {
        var unknown = new List<string>();
        foreach (var line in lines)
        {
            if (await stock.GetAsync(line.Sku, cancellationToken) is null)
            {
                unknown.Add(line.Sku);
            }
        }

        return unknown;
    }

    private void ThrowIfExhausted(int attempt, string orderId)
    {
        if (attempt > Options.MaxWriteAttempts)
        {
            throw new ConcurrencyConflictException($"reservation {orderId} kept changing; try again (it is safe to repeat)");
        }
    }
}
