using Dapr.DurableTask.Protobuf;

namespace Sidecar.Workflow;

/// <summary>
/// One workflow instance as the engine holds it (contract §6.6): the persisted history of the current
/// generation, the inbox of events not yet handed to the worker, and what is in flight. Mutated only under
/// <see cref="Lock"/>.
/// </summary>
internal sealed class WorkflowInstance(string id)
{
    public string Id { get; } = id;

    public SemaphoreSlim Lock { get; } = new(1, 1);

    /// <summary>Bumped by continue-as-new, so timers and activity results of an older generation are dropped.</summary>
    public ulong Generation { get; set; }

    public List<HistoryEvent> History { get; } = [];

    public List<HistoryEvent> Inbox { get; } = [];

    public string? CustomStatus { get; set; }

    /// <summary>The turn sent to a worker and not yet completed: a fresh WorkflowStarted plus the first <see cref="InFlightInboxCount"/> inbox events.</summary>
    public List<HistoryEvent>? InFlight { get; set; }

    public int InFlightInboxCount { get; set; }

    public long InFlightStream { get; set; }

    /// <summary>Activities scheduled and not yet completed, by task id.</summary>
    public Dictionary<int, PendingActivity> Activities { get; } = [];

    /// <summary>Durable timers not yet fired, by timer id (the createTimer action's id).</summary>
    public Dictionary<int, DateTimeOffset> Timers { get; } = [];

    /// <summary>
    /// The history and inbox events the store holds, by row index (null = not known), so a save writes only rows
    /// whose event changed. Events are compared by reference: an event is never changed once in either list (turns
    /// work on clones), and continue-as-new or a restored turn puts other objects at the same indexes.
    /// </summary>
    public List<HistoryEvent?> PersistedHistory { get; } = [];

    /// <inheritdoc cref="PersistedHistory"/>
    public List<HistoryEvent?> PersistedInbox { get; } = [];

    /// <summary>The customStatus row the store holds (null = no row), so a save writes it only when it changed.</summary>
    public string? PersistedCustomStatus { get; set; }

    /// <summary>True after a failed save, which may have committed anyway: the next save writes the customStatus row.</summary>
    public bool PersistedCustomStatusUnknown { get; set; }

    /// <summary>True after a sendEvent action: daprd 1.16–1.18 cannot route it and the instance is stuck until another event arrives.</summary>
    public bool Stuck { get; set; }

    /// <summary>Signalled on every state change, for the blocking client calls.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Changed => Volatile.Read(ref _changed).Task;

    public void NotifyChanged() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public ExecutionStartedEvent? Started =>
        History.FirstOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted)?.ExecutionStarted;

    public ExecutionCompletedEvent? Completed =>
        History.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionCompleted)?.ExecutionCompleted;

    /// <summary>The ExecutionStarted waiting in the inbox before the first turn (PENDING instances).</summary>
    public ExecutionStartedEvent? PendingStart =>
        Inbox.FirstOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted)?.ExecutionStarted;

    /// <summary>Status derivation of contract §6.5.</summary>
    public OrchestrationStatus Status
    {
        get
        {
            if (Started is null)
            {
                return OrchestrationStatus.Pending;
            }

            if (Completed is { } completed)
            {
                return completed.WorkflowStatus;
            }

            if (History.Any(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStalled))
            {
                return OrchestrationStatus.Stalled;
            }

            var lastSuspendOrResume = History.LastOrDefault(e =>
                e.EventTypeCase is HistoryEvent.EventTypeOneofCase.ExecutionSuspended or HistoryEvent.EventTypeOneofCase.ExecutionResumed);
            return lastSuspendOrResume?.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionSuspended
                ? OrchestrationStatus.Suspended
                : OrchestrationStatus.Running;
        }
    }

    public bool IsTerminal => IsTerminalStatus(Status);

    /// <summary>What a turn may change, taken before it so a turn whose save failed can be undone.</summary>
    public InstanceSnapshot Snapshot() => new([.. History], [.. Inbox], CustomStatus, Generation, new(Activities), new(Timers));

    public void Restore(InstanceSnapshot snapshot)
    {
        History.Clear();
        History.AddRange(snapshot.History);
        Inbox.Clear();
        Inbox.AddRange(snapshot.Inbox);
        CustomStatus = snapshot.CustomStatus;
        Generation = snapshot.Generation;
        Activities.Clear();
        foreach (var (taskId, pending) in snapshot.Activities)
        {
            Activities[taskId] = pending;
        }

        Timers.Clear();
        foreach (var (timerId, dueAt) in snapshot.Timers)
        {
            Timers[timerId] = dueAt;
        }
    }

    public static bool IsTerminalStatus(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;
}

/// <summary>The in-memory state of an instance as it was before a turn.</summary>
internal sealed record InstanceSnapshot(
    List<HistoryEvent> History, List<HistoryEvent> Inbox, string? CustomStatus, ulong Generation, Dictionary<int, PendingActivity> Activities, Dictionary<int, DateTimeOffset> Timers);

/// <summary>An activity work item and the worker stream it was last sent on (0 = queued).</summary>
internal sealed class PendingActivity(ActivityRequest request, ulong generation)
{
    public ActivityRequest Request { get; } = request;

    public ulong Generation { get; } = generation;

    public long SentOnStream { get; set; }
}
