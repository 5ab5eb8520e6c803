namespace Sidecar.Workflow;

/// <summary>
/// The engine's clock: fires (instance, timer, generation) entries at their due time. Timers are rebuilt from
/// history on start (TimerCreated without TimerFired), so this queue itself needs no persistence.
/// </summary>
internal sealed class DurableTimers(TimeProvider time, Func<TimerEntry, Task> fire, Action<TimerEntry, Exception> failed) : IAsyncDisposable
{
    private readonly PriorityQueue<TimerEntry, DateTimeOffset> _queue = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = Task.Run(RunAsync);

    public void Schedule(TimerEntry entry)
    {
        lock (_lock)
        {
            _queue.Enqueue(entry, entry.DueAt);
        }

        _wake.Release();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TimeSpan wait;
            TimerEntry? due = null;
            lock (_lock)
            {
                if (_queue.TryPeek(out var next, out var dueAt))
                {
                    wait = dueAt - time.GetUtcNow();
                    if (wait <= TimeSpan.Zero)
                    {
                        due = _queue.Dequeue();
                    }
                }
                else
                {
                    wait = Timeout.InfiniteTimeSpan;
                }
            }

            if (due is not null)
            {
                // Fire outside the lock; a failure is retried a second later rather than lost.
                try
                {
                    await fire(due);
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    failed(due, ex);
                    Schedule(due with { DueAt = time.GetUtcNow().AddSeconds(1) });
                }

                continue;
            }

            var capped = wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : wait;
            await _wake.WaitAsync(capped, _stop.Token);
        }
    }
}

/// <param name="TimerId">
/// The createTimer action's id; <see cref="DeferredTurnId"/> marks a deferred turn (a scheduled start, or a turn whose
/// save failed), <see cref="RepairLinksId"/> a child start or parent notice that failed after its turn was saved.
/// </param>
internal sealed record TimerEntry(string InstanceId, int TimerId, ulong Generation, DateTimeOffset DueAt)
{
    public const int DeferredTurnId = -1;

    public const int RepairLinksId = -2;
}
