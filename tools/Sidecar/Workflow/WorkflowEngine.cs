using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Dapr.DurableTask.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sidecar.Components;
using Sidecar.Hosting;

namespace Sidecar.Workflow;

/// <summary>
/// The sidecar's workflow engine: the server half of Dapr.Workflow's protocol (contract §6). It keeps each
/// instance's durable history and inbox in the actor state store, runs one turn at a time per instance on the
/// connected workers, turns the worker's actions into history and new work (activities, timers, children),
/// and serves the client calls. Activities run at least once; the SDK, not the engine, retries them.
/// </summary>
internal sealed partial class WorkflowEngine : IAsyncDisposable
{
    private static readonly DateTimeOffset SentinelThreshold = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How long a turn or activity result that could not be saved (store briefly away) waits before it is tried again.</summary>
    private static readonly TimeSpan SaveRetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, WorkflowInstance> _instances = new(StringComparer.Ordinal);
    private readonly Channel<WorkToken> _work = Channel.CreateUnbounded<WorkToken>();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SidecarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkflowEngine> _logger;
    private readonly WorkflowStore? _store;
    private readonly DurableTimers _timers;

    /// <summary>
    /// The sidecar is stopping: the calls that wait on workflows (the worker's stream, the client's waits) end then,
    /// as daprd's do, instead of holding the stop until the host's shutdown timeout.
    /// </summary>
    private readonly CancellationToken _stopping;
    private TaskCompletionSource _instanceCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextStreamId;

    public WorkflowEngine(SidecarOptions options, ComponentRegistry registry, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<WorkflowEngine> logger)
    {
        _options = options;
        _stopping = lifetime.ApplicationStopping;
        _time = time;
        _logger = logger;
        var actorStore = registry.StateStores.Values.FirstOrDefault(s => s.IsActorStateStore);
        _store = actorStore is null ? null : new WorkflowStore(actorStore.Store, options.AppId, options.EffectiveNamespace);
        _timers = new DurableTimers(time, FireTimerAsync, (entry, ex) => WorkflowLog.TimerFailed(logger, entry.InstanceId, entry.TimerId, ex.Message));
    }

    public bool Enabled => _store is not null;

    /// <summary>Loads every persisted instance and resumes it: re-dispatches turns, activities and timers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_store is not null)
            {
                foreach (var id in await _store.ListInstanceIdsAsync(cancellationToken))
                {
                    if (await _store.LoadAsync(id, cancellationToken) is { } instance)
                    {
                        _instances[id] = instance;
                    }
                }

                foreach (var instance in _instances.Values)
                {
                    await ResumeAfterLoadAsync(instance, cancellationToken);
                }

                WorkflowLog.Loaded(_logger, _instances.Count);
            }

            _timers.Start();
            _loaded.TrySetResult();
        }
        catch (Exception ex)
        {
            _loaded.TrySetException(ex);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _timers.DisposeAsync();
    }

    // ---- client API (contract §6.5) -------------------------------------------------------------

    public async Task<string> StartInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        var store = await ReadyStoreAsync();
        var id = string.IsNullOrEmpty(request.InstanceId) ? Guid.NewGuid().ToString("N") : request.InstanceId;
        var instance = _instances.GetOrAdd(id, static key => new WorkflowInstance(key));
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (Exists(instance) && !instance.IsTerminal)
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"an active workflow with ID '{id}' already exists"));
            }

            if (Exists(instance))
            {
                // Reusing the id of a finished instance: its state is wiped first.
                await store.DeleteAsync(instance, cancellationToken);
                Reset(instance);
            }

            var started = new ExecutionStartedEvent
            {
                Name = request.Name,
                Input = request.Input,
                WorkflowInstance = new Dapr.DurableTask.Protobuf.WorkflowInstance { InstanceId = id, ExecutionId = Guid.NewGuid().ToString("N") },
                ScheduledStartTimestamp = request.ScheduledStartTimestamp,
                ParentTraceContext = request.ParentTraceContext,
            };
            instance.Inbox.Add(NewEvent(e => e.ExecutionStarted = started));
            try
            {
                await store.SaveAsync(instance, cancellationToken);
            }
            catch
            {
                // Not started: left in memory, the id would count as a live instance that never runs, and a
                // retried start would be refused as AlreadyExists.
                instance.Inbox.Clear();
                throw;
            }

            Dispatch(instance);
            instance.NotifyChanged();
        }
        finally
        {
            instance.Lock.Release();
        }

        Interlocked.Exchange(ref _instanceCreated, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (request.ScheduledStartTimestamp is null)
        {
            // daprd returns only once the first turn is persisted (trap 3).
            await WaitUntilAsync(id, i => i.Status != OrchestrationStatus.Pending, cancellationToken);
        }

        return id;
    }

    public async Task<GetInstanceResponse> GetInstanceAsync(string instanceId, bool withPayloads)
    {
        await _loaded.Task;
        if (!_instances.TryGetValue(instanceId, out var instance))
        {
            return new GetInstanceResponse { Exists = false };
        }

        await instance.Lock.WaitAsync();
        try
        {
            return Describe(instance, withPayloads);
        }
        finally
        {
            instance.Lock.Release();
        }
    }

    public async Task<GetInstanceResponse> WaitForStartAsync(string instanceId, bool withPayloads, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(instanceId, i => i.Status != OrchestrationStatus.Pending, cancellationToken);
        return await GetInstanceAsync(instanceId, withPayloads);
    }

    public async Task<GetInstanceResponse> WaitForCompletionAsync(string instanceId, bool withPayloads, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(instanceId, i => i.IsTerminal, cancellationToken);
        return await GetInstanceAsync(instanceId, withPayloads);
    }

    public async Task RaiseEventAsync(RaiseEventRequest request, CancellationToken cancellationToken)
    {
        var instance = await RequireInstanceAsync(request.InstanceId);
        var raised = new EventRaisedEvent { Name = request.Name, Input = request.Input };
        await EnqueueAsync(instance, e => e.EventRaised = raised, cancellationToken);
    }

    public async Task TerminateAsync(TerminateRequest request, CancellationToken cancellationToken)
    {
        var instance = await RequireInstanceAsync(request.InstanceId);
        var store = await ReadyStoreAsync();
        List<string> children = [];
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (instance.IsTerminal)
            {
                return;
            }

            if (instance.Status == OrchestrationStatus.Pending)
            {
                // Never run by a worker: terminated directly, with the terminate input as result.
                var (inFlight, historyCount, inbox) = (instance.InFlight, instance.History.Count, instance.Inbox.ToList());
                instance.InFlight = null;
                instance.History.AddRange(instance.Inbox.Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted));
                instance.Inbox.Clear();
                instance.History.Add(NewEvent(e => e.ExecutionCompleted = new ExecutionCompletedEvent { WorkflowStatus = OrchestrationStatus.Terminated, Result = request.Output }));
                try
                {
                    await store.SaveAsync(instance, cancellationToken);
                }
                catch
                {
                    // Not terminated: the instance stays as it was saved, and the caller may terminate it again.
                    instance.InFlight = inFlight;
                    instance.History.RemoveRange(historyCount, instance.History.Count - historyCount);
                    instance.Inbox.Clear();
                    instance.Inbox.AddRange(inbox);
                    throw;
                }

                instance.NotifyChanged();
            }
            else
            {
                var terminated = NewEvent(e => e.ExecutionTerminated = new ExecutionTerminatedEvent { Input = request.Output, Recurse = request.Recursive });
                instance.Inbox.Add(terminated);
                try
                {
                    await store.SaveAsync(instance, cancellationToken);
                }
                catch
                {
                    // Not accepted: a later turn must not run a termination the caller was told had failed.
                    instance.Inbox.Remove(terminated);
                    throw;
                }

                Dispatch(instance);
                instance.NotifyChanged();
            }

            if (request.Recursive)
            {
                children = RunningChildren(instance);
            }
        }
        finally
        {
            instance.Lock.Release();
        }

        try
        {
            await NotifyParentIfTerminalAsync(instance, cancellationToken);
        }
        catch (Exception ex)
        {
            // The termination is saved; the parent is told by the repair timer, as after a turn (Execution.cs).
            WorkflowLog.SaveFailed(_logger, instance.Id, "parent notice", ex.Message);
            _timers.Schedule(new TimerEntry(instance.Id, TimerEntry.RepairLinksId, instance.Generation, _time.GetUtcNow() + SaveRetryDelay));
        }

        foreach (var child in children.Where(c => _instances.ContainsKey(c)))
        {
            await TerminateAsync(new TerminateRequest { InstanceId = child, Output = request.Output, Recursive = true }, cancellationToken);
        }

        await WaitUntilAsync(instance.Id, i => i.IsTerminal, cancellationToken);
    }

    public async Task SuspendAsync(string instanceId, string? reason, CancellationToken cancellationToken)
    {
        var instance = await RequireInstanceAsync(instanceId);
        await EnqueueAsync(instance, e => e.ExecutionSuspended = new ExecutionSuspendedEvent { Input = reason }, cancellationToken);
        await WaitUntilAsync(instanceId, i => i.Status == OrchestrationStatus.Suspended || i.IsTerminal, cancellationToken);
    }

    public async Task ResumeAsync(string instanceId, string? reason, CancellationToken cancellationToken)
    {
        var instance = await RequireInstanceAsync(instanceId);
        await EnqueueAsync(instance, e => e.ExecutionResumed = new ExecutionResumedEvent { Input = reason }, cancellationToken);
        await WaitUntilAsync(instanceId, i => i.Status != OrchestrationStatus.Suspended || i.IsTerminal, cancellationToken);
    }

    public async Task<int> PurgeAsync(PurgeInstancesRequest request, CancellationToken cancellationToken)
    {
        if (request.RequestCase != PurgeInstancesRequest.RequestOneofCase.InstanceId)
        {
            throw new RpcException(new Status(StatusCode.Unknown, "purging by filter is not implemented"));
        }

        var instance = await RequireInstanceAsync(request.InstanceId);
        var store = await ReadyStoreAsync();
        List<string> children;
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (!instance.IsTerminal)
            {
                throw new RpcException(new Status(StatusCode.Unknown, $"could not purge instance {instance.Id}: orchestration has not yet completed"));
            }

            children = instance.History
                .Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated)
                .Select(e => e.ChildWorkflowInstanceCreated.InstanceId)
                .ToList();
            await store.DeleteAsync(instance, cancellationToken);
            Reset(instance);
            _instances.TryRemove(new KeyValuePair<string, WorkflowInstance>(instance.Id, instance));
        }
        finally
        {
            instance.Lock.Release();
        }

        var count = 1;
        if (request.Recursive)
        {
            foreach (var child in children)
            {
                if (_instances.TryGetValue(child, out var childInstance) && childInstance.IsTerminal)
                {
                    count += await PurgeAsync(new PurgeInstancesRequest { InstanceId = child, Recursive = true }, cancellationToken);
                }
            }
        }

        return count;
    }

    public async Task<ListInstanceIDsResponse> ListInstanceIdsAsync(ListInstanceIDsRequest request)
    {
        await _loaded.Task;
        var ids = _instances.Values.Where(Exists).Select(i => i.Id).Order(StringComparer.Ordinal).ToList();
        var after = request.HasContinuationToken ? request.ContinuationToken : null;
        var page = ids.Where(id => after is null || string.CompareOrdinal(id, after) > 0).Take(request.HasPageSize && request.PageSize > 0 ? (int)request.PageSize : int.MaxValue).ToList();
        var response = new ListInstanceIDsResponse();
        response.InstanceIds.AddRange(page);
        if (page.Count > 0 && page[^1] != ids[^1])
        {
            response.ContinuationToken = page[^1];
        }

        return response;
    }

    public async Task<GetInstanceHistoryResponse> GetHistoryAsync(string instanceId)
    {
        await _loaded.Task;
        if (!_instances.TryGetValue(instanceId, out var instance) || !Exists(instance))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no such instance exists: {instanceId}"));
        }

        await instance.Lock.WaitAsync();
        try
        {
            var response = new GetInstanceHistoryResponse();
            response.Events.AddRange(instance.History.Select(e => e.Clone()));
            return response;
        }
        finally
        {
            instance.Lock.Release();
        }
    }

    // ---- helpers shared by the partial files ---------------------------------------------------

    private async Task<WorkflowStore> ReadyStoreAsync()
    {
        await _loaded.Task;
        return _store ?? throw new RpcException(new Status(StatusCode.FailedPrecondition,
            "the workflow engine needs a state store component with metadata actorStateStore: \"true\""));
    }

    private async Task<WorkflowInstance> RequireInstanceAsync(string instanceId)
    {
        await ReadyStoreAsync();
        return _instances.TryGetValue(instanceId, out var instance) && Exists(instance)
            ? instance
            : throw new RpcException(new Status(StatusCode.Unknown, $"no such instance exists: {instanceId}"));
    }

    private static bool Exists(WorkflowInstance instance) => instance.History.Count > 0 || instance.Inbox.Count > 0;

    private static void Reset(WorkflowInstance instance)
    {
        instance.History.Clear();
        instance.Inbox.Clear();
        instance.CustomStatus = null;
        instance.InFlight = null;
        instance.Activities.Clear();
        instance.Timers.Clear();
        instance.Stuck = false;
        instance.Generation++;
    }

    /// <summary>Adds an event to the inbox (ignored once the instance is terminal), persists it and dispatches a turn.</summary>
    private async Task EnqueueAsync(WorkflowInstance instance, Action<HistoryEvent> set, CancellationToken cancellationToken)
    {
        var store = await ReadyStoreAsync();
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (instance.IsTerminal)
            {
                return; // completed instances ignore new events
            }

            var last = instance.Inbox.Concat(instance.History).Select(e => e.Timestamp?.ToDateTimeOffset()).Where(t => t is not null).DefaultIfEmpty().Max();
            var evt = NewEvent(set);
            if (last is { } previous && evt.Timestamp.ToDateTimeOffset() <= previous)
            {
                // daprd gives inbox events strictly increasing timestamps.
                evt.Timestamp = Timestamp.FromDateTimeOffset(previous.AddTicks(10));
            }

            var wasStuck = instance.Stuck;
            instance.Inbox.Add(evt);
            instance.Stuck = false;
            try
            {
                await store.SaveAsync(instance, cancellationToken);
            }
            catch
            {
                // Not accepted: the caller sees the error and may send it again (a repeated parent notice checks the inbox first).
                instance.Inbox.Remove(evt);
                instance.Stuck = wasStuck;
                throw;
            }

            Dispatch(instance);
            instance.NotifyChanged();
        }
        finally
        {
            instance.Lock.Release();
        }
    }

    /// <summary>
    /// Waits until the instance meets <paramref name="condition"/>. The sidecar's stop ends the wait with Unavailable,
    /// as when daprd goes away; the SDK's waits then try again.
    /// </summary>
    private async Task WaitUntilAsync(string instanceId, Func<WorkflowInstance, bool> condition, CancellationToken cancellationToken)
    {
        await _loaded.Task;
        using var untilStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
        while (true)
        {
            var created = Volatile.Read(ref _instanceCreated).Task;
            Task changed;
            if (_instances.TryGetValue(instanceId, out var instance) && Exists(instance))
            {
                changed = instance.Changed;
                if (condition(instance))
                {
                    return;
                }
            }
            else
            {
                // daprd keeps waiting for an id that does not exist yet.
                changed = created;
            }

            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1), untilStop.Token));
            cancellationToken.ThrowIfCancellationRequested();
            if (_stopping.IsCancellationRequested)
            {
                throw ShuttingDown(StatusCode.Unavailable);
            }
        }
    }

    private static RpcException ShuttingDown(StatusCode status) => new(new Status(status, "shutting down"));

    private static GetInstanceResponse Describe(WorkflowInstance instance, bool withPayloads)
    {
        if (!Exists(instance))
        {
            return new GetInstanceResponse { Exists = false };
        }

        var startedEvent = instance.History.Concat(instance.Inbox).FirstOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted);
        var state = new WorkflowState
        {
            InstanceId = instance.Id,
            Name = instance.Started?.Name ?? "",
            WorkflowStatus = instance.Status,
            CreatedTimestamp = startedEvent?.Timestamp,
            LastUpdatedTimestamp = instance.History.LastOrDefault()?.Timestamp ?? startedEvent?.Timestamp,
        };
        if (instance.History.Count > 0)
        {
            state.StartedAt = instance.History[0].Timestamp;
        }

        if (withPayloads)
        {
            state.Input = (instance.Started ?? instance.PendingStart)?.Input;
            state.Output = instance.Completed?.Result;
            state.CustomStatus = instance.CustomStatus;
            state.FailureDetails = instance.Completed?.FailureDetails;
        }

        return new GetInstanceResponse { Exists = true, WorkflowState = state };
    }

    private HistoryEvent NewEvent(Action<HistoryEvent> set, int eventId = -1)
    {
        var evt = new HistoryEvent { EventId = eventId, Timestamp = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) };
        set(evt);
        return evt;
    }

    private static List<string> RunningChildren(WorkflowInstance instance)
    {
        var finished = instance.History.Concat(instance.Inbox)
            .Select(e => e.EventTypeCase switch
            {
                HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCompleted => e.ChildWorkflowInstanceCompleted.TaskScheduledId,
                HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceFailed => e.ChildWorkflowInstanceFailed.TaskScheduledId,
                _ => (int?)null,
            })
            .OfType<int>()
            .ToHashSet();
        return instance.History
            .Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated && !finished.Contains(e.EventId))
            .Select(e => e.ChildWorkflowInstanceCreated.InstanceId)
            .ToList();
    }

    private static bool IsSentinel(Timestamp? fireAt) => fireAt is not null && fireAt.ToDateTimeOffset() >= SentinelThreshold;

    private static string GenerationToken(ulong generation) => generation.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A unit of work for the worker streams; re-validated against the instance when a stream takes it.</summary>
internal sealed record WorkToken(string InstanceId, int? ActivityTaskId, ulong Generation);
