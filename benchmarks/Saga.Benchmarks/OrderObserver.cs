using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

namespace Saga.Benchmarks;

/// <summary>
/// Watches pending orders reach Confirmed or Cancelled by reading orders' state store directly: one query per tick
/// for every pending order, instead of a <c>GET /orders/{id}</c> per order per tick. The HTTP polling was itself a
/// third of the platform's CPU at concurrency 32 (docs/benchmarks.md), so it measured the observer more than the saga.
/// The row is what orders commits when the order becomes terminal, so this is the earliest correct observation.
/// </summary>
internal sealed class OrderObserver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _pending = new(StringComparer.Ordinal);
    private readonly NpgsqlDataSource _orders;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _queries;
    private volatile Exception? _failure;

    public OrderObserver(string ordersConnectionString, TimeSpan interval)
    {
        // No pool reset: each query is then exactly one transaction in pg_stat_database, which the meter subtracts.
        _orders = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ordersConnectionString) { NoResetOnClose = true });
        _loop = Task.Run(() => LoopAsync(interval));
    }

    /// <summary>Queries sent so far (the meter leaves them out of orders' transactions).</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Completes with true when the order ends Cancelled, false when Confirmed.</summary>
    public Task<bool> TerminalAsync(string orderId)
    {
        var waiter = _pending.GetOrAdd(StateKey(orderId), _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_failure is { } failure)
        {
            waiter.TrySetException(failure); // the loop has already failed the waiters it knew of
        }

        return waiter.Task;
    }

    // Dapr's default key prefix: the app id (contract: keyPrefix appid).
    private static string StateKey(string orderId) => "orders||" + orderId;

    private async Task LoopAsync(TimeSpan interval)
    {
        try
        {
            await ReadUntilStoppedAsync(interval).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A store the observer cannot read (or a row it does not understand) fails the run instead of hanging it.
            _failure = new InvalidOperationException("the order observer stopped: " + ex.Message, ex);
            foreach (var key in _pending.Keys)
            {
                if (_pending.TryRemove(key, out var waiter))
                {
                    waiter.TrySetException(_failure);
                }
            }
        }
    }

    private async Task ReadUntilStoppedAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            var keys = _pending.Keys.ToArray();
            if (keys.Length == 0)
            {
                continue;
            }

            Interlocked.Increment(ref _queries);
            await using var command = _orders.CreateCommand("SELECT key, value FROM state WHERE key = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = keys });
            await using var reader = await command.ExecuteReaderAsync(_stop.Token).ConfigureAwait(false);
            while (await reader.ReadAsync(_stop.Token).ConfigureAwait(false))
            {
                var status = Status(reader.GetFieldValue<byte[]>(1));
                if (status is "Confirmed" or "Cancelled" && _pending.TryRemove(reader.GetString(0), out var waiter))
                {
                    waiter.SetResult(status == "Cancelled");
                }
            }
        }
    }

    private static string? Status(byte[] document)
    {
        using var json = JsonDocument.Parse(document);
        return json.RootElement.GetProperty("order").GetProperty("status").GetString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        await _orders.DisposeAsync();
        _stop.Dispose();
    }
}
