using Dapr.Client;
using Inventory.Domain;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Inventory.Stock;

/// <summary>A stored value with the ETag it was read with (empty when the key is absent).</summary>
public sealed record Versioned<T>(T Value, string ETag);

/// <summary>
/// The SKU records: key scheme and the single-key optimistic write loop. Every change is one
/// <c>TrySaveStateAsync</c> with the ETag of the read (atomic on every store, never published), retried on conflict.
/// </summary>
public sealed class StockStore(DaprClient dapr, TimeProvider time, IOptions<InventoryOptions> options, ILogger<StockStore> logger)
{
    public static string Key(string sku) => "stock-" + sku;

    public async Task<Versioned<StockItem>?> GetAsync(string sku, CancellationToken cancellationToken)
    {
        var (item, etag) = await dapr.GetStateAndETagAsync<StockItem?>(DaprNames.StateStore, Key(sku), cancellationToken: cancellationToken);
        return item is null ? null : new Versioned<StockItem>(item, etag);
    }

    /// <summary>
    /// Read, decide, write with the read's ETag, until the write wins. <paramref name="decide"/> gets the current
    /// record (null when absent) and returns the record to write (null: write nothing) and the caller's result.
    /// A record that does not exist yet is created first-write, so two creators cannot both succeed.
    /// </summary>
    public async Task<(TResult Result, Versioned<StockItem>? Item)> UpdateAsync<TResult>(
        string sku, Func<Versioned<StockItem>?, (StockItem? Next, TResult Result)> decide, CancellationToken cancellationToken)
    {
        var key = Key(sku);
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetAsync(sku, cancellationToken);
            var (next, result) = decide(current);
            if (next is null)
            {
                return (result, current);
            }

            if (current is null ? await StoreWrites.TryCreateAsync(dapr, key, next, cancellationToken) : await dapr.TrySaveStateAsync(DaprNames.StateStore, key, next, current.ETag, cancellationToken: cancellationToken))
            {
                return (result, new Versioned<StockItem>(next, ""));
            }

            logger.WriteConflict(key, attempt);
            if (attempt >= options.Value.MaxWriteAttempts)
            {
                throw new ConcurrencyConflictException($"stock of {sku} kept changing; try again");
            }

            await StoreWrites.BackoffAsync(attempt, cancellationToken);
        }
    }

    public Task<(TakeOutcome Result, Versioned<StockItem>? Item)> TakeAsync(string sku, string orderId, int quantity, CancellationToken cancellationToken) =>
        UpdateAsync(sku, current => current is null
            ? (null, TakeOutcome.Insufficient)
            : current.Value.Take(orderId, quantity, time.GetUtcNow(), options.Value.SettledRetention) is var (next, outcome) && outcome == TakeOutcome.Taken
                ? (next, outcome)
                : (null, outcome), cancellationToken);

    /// <param name="quantity">The reservation's quantity of the line (a return needs it when the SKU forgot the hold).</param>
    public Task<(SettleOutcome Result, Versioned<StockItem>? Item)> SettleAsync(
        string sku, string orderId, int quantity, LineSettlement settlement, CancellationToken cancellationToken) =>
        UpdateAsync(sku, current =>
        {
            if (current is null)
            {
                return (null, SettleOutcome.NothingHeld);
            }

            var now = time.GetUtcNow();
            var retention = options.Value.SettledRetention;
            var (next, outcome) = settlement switch
            {
                LineSettlement.Commit => current.Value.Commit(orderId, now, retention),
                LineSettlement.Return => current.Value.Return(orderId, quantity, now, retention),
                _ => current.Value.Release(orderId, now, retention),
            };
            return (outcome == SettleOutcome.Applied ? next : null, outcome);
        }, cancellationToken);
}
