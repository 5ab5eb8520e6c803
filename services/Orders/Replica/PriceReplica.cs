using System.Globalization;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Orders.Domain;
using ServiceDefaults;

namespace Orders.Replica;

/// <summary>A processed catalog event, remembered so a redelivery applies once.</summary>
internal sealed record InboxEntry(string EventId, string EventType, string Sku, long Version, DateTimeOffset ProcessedAt);

internal enum ReplicaOutcome
{
    Applied,
    Stale,
    Duplicate,
}

/// <summary>
/// The product price replica and its inbox in <c>orders-replica</c> (no outbox). An event's effect and its inbox
/// entry are ONE state transaction; the replica record is written with its ETag and only by a newer version.
/// </summary>
internal sealed class PriceReplica(DaprClient dapr, TimeProvider time, IOptions<OrdersOptions> options, ILogger<PriceReplica> logger)
{
    private static readonly Dictionary<string, string> JsonContent = new(StringComparer.Ordinal) { ["contentType"] = "application/json" };

    public static string ProductKey(string sku) => $"product:{sku}";

    public static string InboxKey(string eventId) => $"inbox:{eventId}";

    /// <summary>The replica's records of these skus (absent skus are missing from the result).</summary>
    public async Task<IReadOnlyDictionary<string, ProductPrice>> GetAsync(IReadOnlyList<string> skus, CancellationToken cancellationToken)
    {
        var items = await dapr.GetBulkStateAsync<ProductPrice?>(DaprNames.ReplicaStore, [.. skus.Select(ProductKey)], parallelism: null, cancellationToken: cancellationToken);
        return items.Where(i => i.Value is not null).ToDictionary(i => i.Value!.Sku, i => i.Value!, StringComparer.Ordinal);
    }

    public async Task<ReplicaOutcome> ApplyAsync(string eventId, string eventType, ProductPrice incoming, CancellationToken cancellationToken)
    {
        if (await dapr.GetStateAsync<InboxEntry?>(DaprNames.ReplicaStore, InboxKey(eventId), cancellationToken: cancellationToken) is not null)
        {
            return ReplicaOutcome.Duplicate;
        }

        var key = ProductKey(incoming.Sku);
        for (var attempt = 1; attempt <= options.Value.MaxWriteAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await ReplicaWrites.BackoffAsync(attempt, time, cancellationToken);
            }

            var (current, etag) = await dapr.GetStateAndETagAsync<ProductPrice?>(DaprNames.ReplicaStore, key, cancellationToken: cancellationToken);
            if (current is null)
            {
                // Concurrent first events of a sku must race on an ETag, not overwrite each other: put a
                // placeholder first (insert-if-absent, outside a transaction so Redis honours it), then update it.
                await ReplicaWrites.TrySaveAsync(dapr, key, ProductPrice.Placeholder(incoming.Sku), existed: false, etag, logger, cancellationToken);
                continue;
            }

            var next = ReplicaRule.Apply(current, incoming);
            var inbox = new InboxEntry(eventId, eventType, incoming.Sku, incoming.Version, time.GetUtcNow());
            var operations = new List<StateTransactionRequest>();
            if (next is not null)
            {
                operations.Add(new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(next, StateJson.Options), StateOperationType.Upsert, etag, JsonContent));
            }

            operations.Add(new StateTransactionRequest(InboxKey(eventId), JsonSerializer.SerializeToUtf8Bytes(inbox, StateJson.Options), StateOperationType.Upsert, metadata: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["contentType"] = "application/json",
                ["ttlInSeconds"] = ((long)options.Value.InboxRetention.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            }));
            try
            {
                await dapr.ExecuteStateTransactionAsync(DaprNames.ReplicaStore, operations, cancellationToken: cancellationToken);
                return next is null ? ReplicaOutcome.Stale : ReplicaOutcome.Applied;
            }
            catch (DaprException ex)
            {
                // A transaction reports an ETag mismatch as Internal (contract §2.4): re-read and decide again.
                logger.ReplicaRaceLost(key, ex);
            }
        }

        throw new ConcurrencyConflictException($"The replica of {incoming.Sku} is being changed concurrently.");
    }
}
