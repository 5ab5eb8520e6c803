using Dapr.Client;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Orders.Ordering;

internal sealed record CustomerOrderEntry(string OrderId, DateTimeOffset CreatedAt);

/// <summary>A customer's order ids, newest first. <paramref name="InDirectory"/>: the customer is in the <see cref="CustomerDirectory"/>.</summary>
internal sealed record CustomerOrderList(string CustomerId, IReadOnlyList<CustomerOrderEntry> Orders, bool InDirectory = false);

/// <summary>
/// The per-customer order index, because state.postgresql v2 has no query API. It lives in
/// <c>orders-replica</c> (same database, no outbox), not in the order's outbox transaction, where a second
/// upsert would publish a second message. It is written ahead: the entry is added while the order's claim is
/// held and before the order commits, so every placed order is in its customer's index. The index may name an
/// order that never got placed (a failed commit); readers look every entry up in <c>orders-store</c> and skip
/// what is not placed, so the index is a superset that the orders themselves make exact at read time.
/// </summary>
internal sealed class CustomerOrderIndex(DaprClient dapr, CustomerDirectory directory, TimeProvider time, IOptions<OrdersOptions> options, ILogger<CustomerOrderIndex> logger)
{
    public static string Key(string customerId) => $"customer-orders:{customerId}";

    public async Task<CustomerOrderList?> GetAsync(string customerId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<CustomerOrderList?>(DaprNames.ReplicaStore, Key(customerId), cancellationToken: cancellationToken);

    /// <summary>Adds the order (idempotent: an entry already there is left alone). ETag read-modify-write, retried.</summary>
    public async Task AddAsync(string customerId, string orderId, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var key = Key(customerId);
        for (var attempt = 1; attempt <= options.Value.MaxWriteAttempts; attempt++)
        {
            var (list, etag) = await dapr.GetStateAndETagAsync<CustomerOrderList?>(DaprNames.ReplicaStore, key, cancellationToken: cancellationToken);
            if (list?.Orders.Any(o => o.OrderId == orderId) == true)
            {
                return;
            }

            var entries = (list?.Orders ?? []).Append(new CustomerOrderEntry(orderId, createdAt))
                .OrderByDescending(e => e.CreatedAt).ThenBy(e => e.OrderId, StringComparer.Ordinal).ToList();
            if (list is not { InDirectory: true })
            {
                // Written ahead of this record, like this record is ahead of the order: every indexed customer is
                // listed. Lists written before the directory existed get their customer added on their next order.
                await directory.AddAsync(customerId, cancellationToken);
            }

            if (await ReplicaWrites.TrySaveAsync(dapr, key, new CustomerOrderList(customerId, entries, InDirectory: true), existed: list is not null, etag, logger, cancellationToken))
            {
                return;
            }

            await ReplicaWrites.BackoffAsync(attempt, time, cancellationToken);
        }

        throw new ConcurrencyConflictException($"The order index of customer {customerId} is being changed concurrently; try again.");
    }
}
