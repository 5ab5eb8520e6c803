using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Orders.Contracts;
using Orders.Domain;
using ServiceDefaults;

namespace Orders.Ordering;

/// <summary>
/// What <c>orders-store</c> holds under the order id: the aggregate, the response its place request produced
/// (replayed for the same Idempotency-Key) and, while a writer commits a change, that writer's lease.
/// </summary>
internal sealed record OrderDocument(Order Order, OrderResponse? PlacedResponse, WriteLease? Lease);

/// <summary>What a decision over the current document asks the store to do.</summary>
internal abstract record WriteDecision<T>
{
    private WriteDecision()
    {
    }

    /// <summary>Nothing to write: answer with this.</summary>
    public sealed record Answer(T Result) : WriteDecision<T>;

    /// <summary>Commit this change with its event. <paramref name="NewOrder"/> is the pending order to claim when the key is absent.</summary>
    public sealed record Commit(OrderChange Change, Order? NewOrder, T Result) : WriteDecision<T>;

    /// <summary>
    /// Save the order without an event (a note such as a reported compensation): one ETag write outside any
    /// transaction, which never publishes (only outbox transactions do), then answer with <paramref name="Result"/>.
    /// </summary>
    public sealed record Save(Order Order, T Result) : WriteDecision<T>;
}

/// <summary>
/// The order aggregate's store: key scheme, ETags and the outbox transaction. Every change runs the same
/// protocol (services/Orders/README.md, "Writing an order"):
/// 1. read the document and its ETag; wait while another writer holds a live lease;
/// 2. decide (pure);
/// 3. claim: a first-write insert of the pending order (key absent) or an ETag save with a new lease —
///    single-key conditional writes, atomic on every store and never published;
/// 4. commit: ONE outbox transaction = the aggregate upsert (ETag of the claim) + the event as its projection.
/// Only the holder of the claim's ETag commits, so a transaction never loses an ETag race — which matters
/// because on Redis a failed transaction still writes its outbox marker and publishes the event.
/// </summary>
internal sealed class OrderStore(DaprClient dapr, TimeProvider time, IOptions<OrdersOptions> options, ILogger<OrderStore> logger)
{
    public async Task<OrderDocument?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<OrderDocument?>(DaprNames.OrdersStore, orderId, cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<OrderDocument>> GetManyAsync(IReadOnlyList<string> orderIds, CancellationToken cancellationToken)
    {
        if (orderIds.Count == 0)
        {
            return [];
        }

        var items = await dapr.GetBulkStateAsync<OrderDocument?>(DaprNames.OrdersStore, orderIds, parallelism: null, cancellationToken: cancellationToken);
        return [.. items.Where(i => i.Value is not null).Select(i => i.Value!)];
    }

    /// <param name="decide">Decides on the current document (null = absent) at the given time; must be pure.</param>
    /// <param name="beforeCommit">Runs while the claim is held, before the commit (the customer index entry).</param>
    public async Task<T> WriteAsync<T>(
        string orderId,
        Func<OrderDocument?, DateTimeOffset, WriteDecision<T>> decide,
        Func<Order, CancellationToken, Task>? beforeCommit,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 1; attempt <= settings.MaxWriteAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(Backoff(attempt), time, cancellationToken);
            }

            var (document, etag) = await dapr.GetStateAndETagAsync<OrderDocument?>(DaprNames.OrdersStore, orderId, cancellationToken: cancellationToken);
            var now = time.GetUtcNow();
            if (document?.Lease is { } held && held.IsHeldAt(now))
            {
                logger.WriteRaceLost(orderId, attempt, "another writer holds the lease");
                continue;
            }

            if (document?.Lease is not null)
            {
                logger.LeaseTakenOver(orderId);
            }

            var decision = decide(document, now);
            if (decision is WriteDecision<T>.Answer answer)
            {
                return answer.Result;
            }

            if (decision is WriteDecision<T>.Save save)
            {
                if (document is not null && await dapr.TrySaveStateAsync(DaprNames.OrdersStore, orderId, document with { Order = save.Order, Lease = null }, etag, cancellationToken: cancellationToken))
                {
                    return save.Result;
                }

                logger.WriteRaceLost(orderId, attempt, "the order changed while a note was saved");
                continue;
            }

            var commit = (WriteDecision<T>.Commit)decision;
            var lease = new WriteLease(Guid.NewGuid(), now + settings.WriteLease);
            if (!await TryClaimAsync(orderId, document, etag, commit, lease, cancellationToken))
            {
                logger.WriteRaceLost(orderId, attempt, "the claim was refused");
                continue;
            }

            var (claimed, claimedETag) = await dapr.GetStateAndETagAsync<OrderDocument?>(DaprNames.OrdersStore, orderId, cancellationToken: cancellationToken);
            if (claimed?.Lease?.Token != lease.Token)
            {
                logger.WriteRaceLost(orderId, attempt, "the lease expired and was taken over");
                continue;
            }

            await CommitAsync(orderId, claimed, claimedETag, commit.Change, beforeCommit, cancellationToken);
            return commit.Result;
        }

        throw new ConcurrencyConflictException($"Order {orderId} is being changed concurrently; try again.");
    }

    private async Task<bool> TryClaimAsync<T>(
        string orderId, OrderDocument? document, string etag, WriteDecision<T>.Commit commit, WriteLease lease, CancellationToken cancellationToken)
    {
        if (document is not null)
        {
            // Aborted (ETag mismatch) → false; anything else is a real failure and propagates.
            return await dapr.TrySaveStateAsync(DaprNames.OrdersStore, orderId, document with { Lease = lease }, etag, cancellationToken: cancellationToken);
        }

        var pending = commit.NewOrder ?? throw new InvalidOperationException($"order {orderId} is absent and the decision opened none");
        try
        {
            // First-write without an ETag is insert-if-absent on every store (contract §2.4); outside a transaction
            // so that Redis honours it. A duplicate's insert fails (Internal on PostgreSQL/Redis, Aborted in memory).
            await dapr.SaveStateAsync(
                DaprNames.OrdersStore, orderId, new OrderDocument(pending, null, lease),
                new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException)
        {
            // Lost the insert race or the store failed: the caller re-reads, which tells the two apart (a store
            // that is down fails that read too).
            return false;
        }
    }

    private async Task CommitAsync(
        string orderId, OrderDocument claimed, string claimedETag, OrderChange change,
        Func<Order, CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        var next = new OrderDocument(
            change.Order,
            change is OrderChange.Placed ? change.Order.ToResponse() : claimed.PlacedResponse,
            Lease: null);
        var (type, payload) = change.ToEvent();
        try
        {
            if (beforeCommit is not null)
            {
                await beforeCommit(change.Order, cancellationToken);
            }

            // ONE aggregate upsert (it publishes once) and its event as the projection of the same key. daprd
            // copies the real op's metadata onto the CloudEvent and takes the content type from the projection,
            // so both carry contentType and the event type.
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["contentType"] = "application/json", ["type"] = type };
            await dapr.ExecuteStateTransactionAsync(
                DaprNames.OrdersStore,
                [
                    new StateTransactionRequest(orderId, JsonSerializer.SerializeToUtf8Bytes(next, StateJson.Options), StateOperationType.Upsert, claimedETag, metadata),
                    new StateTransactionRequest(orderId, JsonSerializer.SerializeToUtf8Bytes(payload, payload.GetType(), StateJson.Options), StateOperationType.Upsert, metadata: new Dictionary<string, string>(metadata, StringComparer.Ordinal)
                    {
                        ["outbox.projection"] = "true",
                    }),
                ],
                cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException)
        {
            // HttpRequestException: scheduling the review deadline (before the commit) failed.
            logger.CommitFailed(orderId, ex);
            await ReleaseAsync(orderId, claimed with { Lease = null }, claimedETag, cancellationToken);
            throw;
        }

        logger.OrderTransitioned(orderId, change.Order.Status, change.Order.Version);
    }

    /// <summary>Gives the lease back after a failed commit, so the next writer need not wait for it to expire.</summary>
    private async Task ReleaseAsync(string orderId, OrderDocument released, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.TrySaveStateAsync(DaprNames.OrdersStore, orderId, released, etag, cancellationToken: cancellationToken);
        }
        catch (DaprException ex)
        {
            logger.LeaseReleaseFailed(orderId, ex);
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(10 * attempt, 100));
}
