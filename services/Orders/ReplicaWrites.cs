using Dapr;
using Dapr.Client;

namespace Orders;

/// <summary>
/// The conditional writes of orders' read-modify-write records in <c>orders-replica</c> (price replica, customer
/// index, customer directory): one way to write a record read a moment ago, and one pause between lost races.
/// </summary>
internal static class ReplicaWrites
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    /// <summary>
    /// Writes <paramref name="next"/> over what was read: insert-if-absent when nothing was there, else only if the
    /// record still has <paramref name="etag"/>. False when another writer got there first: read again and decide again.
    /// </summary>
    public static async Task<bool> TrySaveAsync<T>(DaprClient dapr, string key, T next, bool existed, string etag, ILogger logger, CancellationToken cancellationToken)
    {
        if (existed)
        {
            return await dapr.TrySaveStateAsync(DaprNames.ReplicaStore, key, next, etag, cancellationToken: cancellationToken);
        }

        try
        {
            await dapr.SaveStateAsync(DaprNames.ReplicaStore, key, next, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException ex)
        {
            // Stores report a lost first-write as a plain error, not as an ETag mismatch; the next read tells.
            logger.ReplicaRaceLost(key, ex);
            return false;
        }
    }

    /// <summary>The pause before the next attempt after a lost race.</summary>
    public static Task BackoffAsync(int attempt, TimeProvider time, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Min(10 * attempt, 100)), time, cancellationToken);
}
