using Dapr;
using Dapr.Client;

namespace Inventory;

/// <summary>The two write helpers both stores share: insert-if-absent and the pause between lost ETag races.</summary>
internal static class StoreWrites
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    /// <summary>
    /// Insert-if-absent: first-write without an ETag (an ETag on an absent key is no guard: Redis writes it anyway).
    /// Losing to another creator answers false; any other failure is thrown.
    /// </summary>
    public static async Task<bool> TryCreateAsync<T>(DaprClient dapr, string key, T value, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.SaveStateAsync(DaprNames.StateStore, key, value, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException)
        {
            // Stores report a lost first-write as a plain error (postgres "no item was updated", redis "failed to
            // set key"), not as an ETag mismatch: the key existing now is what tells a lost race from a failure.
            var (existing, _) = await dapr.GetStateAndETagAsync<T?>(DaprNames.StateStore, key, cancellationToken: cancellationToken);
            if (existing is null)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>A short random pause so that writers who lost the same race do not collide again in lockstep.</summary>
    public static Task BackoffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (Math.Min(attempt, 20) * 3))), cancellationToken);
}
