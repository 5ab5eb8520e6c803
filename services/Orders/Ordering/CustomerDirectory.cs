using Dapr.Client;
using Microsoft.Extensions.Options;
using Orders.Domain;
using ServiceDefaults;

namespace Orders.Ordering;

/// <summary>One shard of the customer directory: its customer ids in ordinal order.</summary>
internal sealed record CustomerDirectoryShard(int Shard, IReadOnlyList<string> CustomerIds);

/// <summary>
/// Every customer that has placed an order, so that a rebuild or a reconciliation can walk all orders
/// (state.postgresql v2 has no query API). Kept like the per-customer index: in <c>orders-replica</c> (no outbox),
/// ETag read-modify-write, idempotent, written ahead — <see cref="CustomerOrderIndex"/> adds the customer here
/// before it writes the customer's index record, so every indexed customer is listed. Sharded by a stable hash
/// (<see cref="CustomerDirectoryRules"/>) so that first orders of different customers rarely race on one record.
/// </summary>
internal sealed class CustomerDirectory(DaprClient dapr, TimeProvider time, IOptions<OrdersOptions> options, ILogger<CustomerDirectory> logger)
{
    /// <summary>How many shards one bulk read fetches while a page fills.</summary>
    private const int ShardsPerRead = 8;

    public static string Key(int shard) => $"customer-directory:{shard:D2}";

    /// <summary>Adds the customer (idempotent: an id already there is left alone).</summary>
    public async Task AddAsync(string customerId, CancellationToken cancellationToken)
    {
        var shard = CustomerDirectoryRules.ShardOf(customerId);
        var key = Key(shard);
        for (var attempt = 1; attempt <= options.Value.MaxWriteAttempts; attempt++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<CustomerDirectoryShard?>(DaprNames.ReplicaStore, key, cancellationToken: cancellationToken);
            if (CustomerDirectoryRules.Add(current?.CustomerIds ?? [], customerId) is not { } ids)
            {
                return;
            }

            if (await ReplicaWrites.TrySaveAsync(dapr, key, new CustomerDirectoryShard(shard, ids), existed: current is not null, etag, logger, cancellationToken))
            {
                return;
            }

            await ReplicaWrites.BackoffAsync(attempt, time, cancellationToken);
        }

        throw new ConcurrencyConflictException($"The customer directory shard {shard} is being changed concurrently; try again.");
    }

    /// <summary>A page of customer ids, walking the shards from the cursor on (bulk reads of a few shards at a time).</summary>
    public async Task<DirectoryPage> PageAsync(DirectoryCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        var read = new List<(int Shard, IReadOnlyList<string> Ids)>();
        var nextShard = after?.Shard ?? 0;
        while (true)
        {
            var batch = Enumerable.Range(nextShard, Math.Min(ShardsPerRead, CustomerDirectoryRules.ShardCount - nextShard)).ToList();
            var items = await dapr.GetBulkStateAsync<CustomerDirectoryShard?>(DaprNames.ReplicaStore, [.. batch.Select(Key)], parallelism: null, cancellationToken: cancellationToken);
            var byKey = items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
            read.AddRange(batch.Select(shard => (shard, byKey.GetValueOrDefault(Key(shard))?.CustomerIds ?? (IReadOnlyList<string>)[])));
            nextShard = batch[^1] + 1;

            var page = CustomerDirectoryRules.Page(read, after, pageSize, readAll: nextShard == CustomerDirectoryRules.ShardCount);
            if (page.Next is null || page.CustomerIds.Count == pageSize)
            {
                return page;
            }
        }
    }
}
