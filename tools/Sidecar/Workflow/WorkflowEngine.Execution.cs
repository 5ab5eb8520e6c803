using Dapr.DurableTask.Protobuf;
using Grpc.Core;

namespace Sidecar.Workflow;

/// <summary>The execution half of the engine: turns, activities, timers, children, worker streams and recovery.</summary>
internal sealed partial class WorkflowEngine
{
    /// <summary>Serves one GetWorkItems stream until the worker goes away; its unfinished items are then sent again.</summary>
    public async Task ServeWorkerAsync(IServerStreamWriter<WorkItem> stream, CancellationToken cancellationToken)
    {
        await ReadyStoreAsync();
        var streamId = Interlocked.Increment(ref _nextStreamId);
        WorkflowLog.WorkerConnected(_logger, streamId);
        using var untilStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping);
        try
        {
            await foreach (var token in _work.Reader.ReadAllAsync(untilStop.Token))
            {
                if (await ClaimAsync(token, streamId) is not { } item)
                {
                    continue; // stale: the instance moved on since the token was queued
                }

                await stream.WriteAsync(item, untilStop.Token);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The worker disconnected.
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // daprd ends the stream so when it stops (durabletask-go's errShuttingDown); the SDK connects again.
            throw ShuttingDown(StatusCode.Cancelled);
        }
        finally
        {
            WorkflowLog.WorkerDisconnected(_logger, streamId);
            await RequeueStreamAsync(streamId);
        }
    }

    /// <summary>CompleteOrchestratorTask / CompleteWorkflowTask: applies a turn's actions (contract §6.3–6.4).</summary>
    public async Task CompleteTurnAsync(WorkflowResponse response, CancellationToken cancellationToken)
    {
        var store = await ReadyStoreAsync();
        if (!_instances.TryGetValue(response.InstanceId, out var instance))
        {
            return; // daprd ignores completions it has no turn for
        }

        var children = new List<(HistoryEvent Created, ExecutionStartedEvent Parent)>();
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (instance.InFlight is not { } batch)
            {
                return;
            }

            var beforeTurn = instance.Snapshot();
            instance.InFlight = null;
            if (response.Actions.Any(a => a.WorkflowActionTypeCase == WorkflowAction.WorkflowActionTypeOneofCase.SendEvent))
            {
                // daprd 1.16–1.18 cannot route a workflow's outbound event: the turn fails and the instance is
                // stuck (trap 5). Delivering it would let tests pass that hang in production.
                instance.Stuck = true;
                WorkflowLog.SendEventUnsupported(_logger, instance.Id);
                return;
            }

            if (response.Version is not null && batch[0].WorkflowStarted is { } workflowStarted)
            {
                workflowStarted.Version = response.Version;
            }

            instance.History.AddRange(batch);
            instance.Inbox.RemoveRange(0, instance.InFlightInboxCount);
            instance.CustomStatus = response.CustomStatus;
            var newActivities = new List<int>();
            foreach (var action in response.Actions)
            {
                if (!ApplyAction(instance, action, newActivities, children))
                {
                    break;
                }
            }

            if (!instance.IsTerminal && batch.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionTerminated) is { } terminated)
            {
                // The SDK answers a termination only when it is the turn's newest event; when another event arrived
                // behind it, daprd forces TERMINATED with the terminate input as result (contract §6.5). A turn that
                // continued as new left its new ExecutionStarted in the inbox: it opens the terminated history.
                instance.History.AddRange(instance.Inbox.Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted));
                instance.History.Add(NewEvent(e => e.ExecutionCompleted = new ExecutionCompletedEvent { WorkflowStatus = OrchestrationStatus.Terminated, Result = terminated.ExecutionTerminated.Input }));
                instance.Timers.Clear();
                instance.Activities.Clear();
                instance.Inbox.Clear();
            }

            try
            {
                await store.SaveAsync(instance, cancellationToken);
            }
            catch (Exception ex)
            {
                // The SDK only logs a failed completion and never sends it again: undo the turn and run it again
                // later (daprd's reminder does the same), or the instance would wait forever on a turn it lost.
                instance.Restore(beforeTurn);
                WorkflowLog.SaveFailed(_logger, instance.Id, "turn", ex.Message);
                _timers.Schedule(new TimerEntry(instance.Id, TimerEntry.DeferredTurnId, instance.Generation, _time.GetUtcNow() + SaveRetryDelay));
                throw;
            }

            foreach (var taskId in newActivities)
            {
                await _work.Writer.WriteAsync(new WorkToken(instance.Id, taskId, instance.Generation), cancellationToken);
            }

            foreach (var (timerId, dueAt) in instance.Timers)
            {
                _timers.Schedule(new TimerEntry(instance.Id, timerId, instance.Generation, dueAt));
            }

            Dispatch(instance);
            instance.NotifyChanged();
        }
        finally
        {
            instance.Lock.Release();
        }

        try
        {
            foreach (var (created, parent) in children)
            {
                await CreateChildAsync(instance.Id, created, parent, cancellationToken);
            }

            await NotifyParentIfTerminalAsync(instance, cancellationToken);
        }
        catch (Exception ex)
        {
            // The turn is saved, so it will not run again: without a repair the parent would wait forever for a
            // child that never started, or for a result it was never told.
            WorkflowLog.SaveFailed(_logger, instance.Id, "child start or parent notice", ex.Message);
            _timers.Schedule(new TimerEntry(instance.Id, TimerEntry.RepairLinksId, instance.Generation, _time.GetUtcNow() + SaveRetryDelay));
            throw;
        }
    }

    /// <summary>
    /// Starts the instance's children that do not exist yet and tells its parent it finished; both are idempotent.
    /// A failure throws, and the timer loop tries again a second later.
    /// </summary>
    private async Task RepairLinksAsync(WorkflowInstance instance)
    {
        List<(HistoryEvent Created, ExecutionStartedEvent Parent)> missing;
        await instance.Lock.WaitAsync();
        try
        {
            missing = instance.IsTerminal || instance.Started is not { } started
                ? []
                : RunningChildren(instance)
                    .Where(childId => !_instances.TryGetValue(childId, out var child) || !Exists(child))
                    .Select(childId => (instance.History.First(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated && e.ChildWorkflowInstanceCreated.InstanceId == childId), started))
                    .ToList();
        }
        finally
        {
            instance.Lock.Release();
        }

        foreach (var (created, parent) in missing)
        {
            await CreateChildAsync(instance.Id, created, parent, CancellationToken.None);
        }

        await NotifyParentIfTerminalAsync(instance, CancellationToken.None);
    }

    /// <summary>CompleteActivityTask: the result goes to the inbox; unknown or repeated completions are ignored.</summary>
    public async Task CompleteActivityAsync(ActivityResponse response, CancellationToken cancellationToken)
    {
        var store = await ReadyStoreAsync();
        if (!_instances.TryGetValue(response.InstanceId, out var instance))
        {
            return;
        }

        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (!instance.Activities.TryGetValue(response.TaskId, out var pending) ||
                (response.CompletionToken.Length > 0 && response.CompletionToken != GenerationToken(pending.Generation)))
            {
                return;
            }

            instance.Activities.Remove(response.TaskId);
            var executionId = pending.Request.TaskExecutionId;
            var result = response.FailureDetails is { } failure
                ? NewEvent(e => e.TaskFailed = new TaskFailedEvent { TaskScheduledId = response.TaskId, FailureDetails = failure, TaskExecutionId = executionId })
                : NewEvent(e => e.TaskCompleted = new TaskCompletedEvent { TaskScheduledId = response.TaskId, Result = response.Result, TaskExecutionId = executionId });
            instance.Inbox.Add(result);
            try
            {
                await store.SaveAsync(instance, cancellationToken);
            }
            catch (Exception ex)
            {
                // The SDK does not send a failed completion again: the activity stays pending and runs again later
                // (activities run at least once), else the instance would wait forever on a lost result.
                instance.Inbox.Remove(result);
                pending.SentOnStream = 0;
                instance.Activities[response.TaskId] = pending;
                WorkflowLog.SaveFailed(_logger, instance.Id, $"activity {response.TaskId}", ex.Message);
                _ = QueueLaterAsync(new WorkToken(instance.Id, response.TaskId, pending.Generation));
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

    /// <summary>Applies one action; false stops the loop (a completion, or continue-as-new).</summary>
    private bool ApplyAction(
        WorkflowInstance instance, WorkflowAction action, List<int> newActivities, List<(HistoryEvent, ExecutionStartedEvent)> children)
    {
        switch (action.WorkflowActionTypeCase)
        {
            case WorkflowAction.WorkflowActionTypeOneofCase.ScheduleTask:
                var task = action.ScheduleTask;
                instance.History.Add(NewEvent(e => e.TaskScheduled = new TaskScheduledEvent
                {
                    Name = task.Name, Version = task.Version, Input = task.Input, TaskExecutionId = task.TaskExecutionId,
                }, action.Id));
                instance.Activities[action.Id] = new PendingActivity(
                    new ActivityRequest
                    {
                        Name = task.Name, Version = task.Version, Input = task.Input, TaskId = action.Id, TaskExecutionId = task.TaskExecutionId,
                        WorkflowInstance = new Dapr.DurableTask.Protobuf.WorkflowInstance { InstanceId = instance.Id },
                    },
                    instance.Generation);
                newActivities.Add(action.Id);
                return true;

            case WorkflowAction.WorkflowActionTypeOneofCase.CreateTimer:
                var timer = action.CreateTimer;
                var created = new TimerCreatedEvent { FireAt = timer.FireAt };
                if (timer.HasName)
                {
                    created.Name = timer.Name;
                }

                switch (timer.OriginCase)
                {
                    case CreateTimerAction.OriginOneofCase.CreateTimer: created.CreateTimer = timer.CreateTimer; break;
                    case CreateTimerAction.OriginOneofCase.ExternalEvent: created.ExternalEvent = timer.ExternalEvent; break;
                    case CreateTimerAction.OriginOneofCase.ActivityRetry: created.ActivityRetry = timer.ActivityRetry; break;
                    case CreateTimerAction.OriginOneofCase.ChildWorkflowRetry: created.ChildWorkflowRetry = timer.ChildWorkflowRetry; break;
                    default: break;
                }

                instance.History.Add(NewEvent(e => e.TimerCreated = created, action.Id));
                if (!IsSentinel(timer.FireAt))
                {
                    // The 9999-12-31 timer is the SDK's "wait forever": recorded, never fired (trap 7).
                    instance.Timers[action.Id] = timer.FireAt.ToDateTimeOffset();
                }

                return true;

            case WorkflowAction.WorkflowActionTypeOneofCase.CreateChildWorkflow:
                var child = action.CreateChildWorkflow;
                var childCreated = NewEvent(e => e.ChildWorkflowInstanceCreated = new ChildWorkflowInstanceCreatedEvent
                {
                    InstanceId = string.IsNullOrEmpty(child.InstanceId) ? $"{instance.Id}:{action.Id:D4}" : child.InstanceId,
                    Name = child.Name, Version = child.Version, Input = child.Input,
                }, action.Id);
                instance.History.Add(childCreated);
                children.Add((childCreated, instance.Started!));
                return true;

            case WorkflowAction.WorkflowActionTypeOneofCase.CompleteWorkflow:
                var complete = action.CompleteWorkflow;
                if (complete.WorkflowStatus == OrchestrationStatus.ContinuedAsNew)
                {
                    ContinueAsNew(instance, complete);
                    return false;
                }

                if (complete.WorkflowStatus == OrchestrationStatus.Stalled)
                {
                    instance.History.Add(NewEvent(e => e.ExecutionStalled = new ExecutionStalledEvent { Reason = StalledReason.PatchMismatch, Description = complete.Details ?? "" }, action.Id));
                    return false;
                }

                instance.History.Add(NewEvent(e => e.ExecutionCompleted = new ExecutionCompletedEvent
                {
                    WorkflowStatus = complete.WorkflowStatus, Result = complete.Result, FailureDetails = complete.FailureDetails,
                }, action.Id));
                // Terminal: pending results are ignored from now on, and so is the rest of the inbox.
                instance.Timers.Clear();
                instance.Activities.Clear();
                instance.Inbox.Clear();
                return false;

            default:
                WorkflowLog.ActionIgnored(_logger, instance.Id, action.WorkflowActionTypeCase.ToString());
                return true;
        }
    }

    /// <summary>
    /// Continue-as-new: history restarts with a new ExecutionStarted (input = the result) plus the carried-over
    /// events, in a new generation whose timers and results are the only ones that count (trap 6).
    /// </summary>
    private void ContinueAsNew(WorkflowInstance instance, CompleteWorkflowAction complete)
    {
        var previous = instance.Started!;
        var restarted = new ExecutionStartedEvent
        {
            Name = previous.Name,
            Version = previous.Version,
            Input = complete.Result,
            ParentInstance = previous.ParentInstance,
            WorkflowInstance = new Dapr.DurableTask.Protobuf.WorkflowInstance { InstanceId = instance.Id, ExecutionId = Guid.NewGuid().ToString("N") },
        };
        instance.History.Clear();
        instance.Timers.Clear();
        instance.Activities.Clear();
        instance.Generation++;
        instance.Inbox.InsertRange(0, [NewEvent(e => e.ExecutionStarted = restarted), .. complete.CarryoverEvents]);
    }

    /// <summary>Hands the instance's next turn to the worker queue when none is in flight (caller holds the lock).</summary>
    private void Dispatch(WorkflowInstance instance)
    {
        if (instance.InFlight is not null || instance.Inbox.Count == 0 || instance.IsTerminal || instance.Stuck)
        {
            return;
        }

        if (instance.Started is null && instance.PendingStart?.ScheduledStartTimestamp is { } startAt && startAt.ToDateTimeOffset() > _time.GetUtcNow())
        {
            _timers.Schedule(new TimerEntry(instance.Id, TimerEntry.DeferredTurnId, instance.Generation, startAt.ToDateTimeOffset()));
            return;
        }

        instance.InFlight = [NewEvent(e => e.WorkflowStarted = new WorkflowStartedEvent()), .. instance.Inbox.Select(e => e.Clone())];
        instance.InFlightInboxCount = instance.Inbox.Count;
        instance.InFlightStream = 0;
        _work.Writer.TryWrite(new WorkToken(instance.Id, null, instance.Generation));
    }

    /// <summary>Binds a queued token to a stream and builds its work item, or returns null when it is stale.</summary>
    private async Task<WorkItem?> ClaimAsync(WorkToken token, long streamId)
    {
        if (!_instances.TryGetValue(token.InstanceId, out var instance))
        {
            return null;
        }

        await instance.Lock.WaitAsync();
        try
        {
            if (token.ActivityTaskId is { } taskId)
            {
                if (!instance.Activities.TryGetValue(taskId, out var pending) || pending.Generation != token.Generation || pending.SentOnStream != 0)
                {
                    return null;
                }

                pending.SentOnStream = streamId;
                // The generation rides in the completion token (the SDK echoes it) so a late result of an older generation is recognised.
                return new WorkItem { ActivityRequest = pending.Request.Clone(), CompletionToken = GenerationToken(pending.Generation) };
            }

            if (instance.InFlight is not { } batch || instance.InFlightStream != 0)
            {
                return null;
            }

            instance.InFlightStream = streamId;
            var request = new WorkflowRequest { InstanceId = instance.Id };
            request.PastEvents.AddRange(instance.History);
            request.NewEvents.AddRange(batch);
            return new WorkItem { WorkflowRequest = request };
        }
        finally
        {
            instance.Lock.Release();
        }
    }

    /// <summary>A lost stream's turns go back to their inboxes and its activities back to the queue.</summary>
    private async Task RequeueStreamAsync(long streamId)
    {
        foreach (var instance in _instances.Values)
        {
            await instance.Lock.WaitAsync();
            try
            {
                if (instance.InFlight is not null && instance.InFlightStream == streamId)
                {
                    instance.InFlight = null;
                    Dispatch(instance);
                }

                foreach (var (taskId, pending) in instance.Activities.Where(a => a.Value.SentOnStream == streamId))
                {
                    pending.SentOnStream = 0;
                    _work.Writer.TryWrite(new WorkToken(instance.Id, taskId, pending.Generation));
                }
            }
            finally
            {
                instance.Lock.Release();
            }
        }
    }

    /// <summary>Puts a work item back on the queue after <see cref="SaveRetryDelay"/>, so a store that stays away is not retried in a tight loop.</summary>
    private async Task QueueLaterAsync(WorkToken token)
    {
        await Task.Delay(SaveRetryDelay, _time);
        // False once the engine is disposed: nothing left to deliver to.
        _work.Writer.TryWrite(token);
    }

    private async Task FireTimerAsync(TimerEntry entry)
    {
        if (!_instances.TryGetValue(entry.InstanceId, out var instance) || _store is null)
        {
            return;
        }

        if (entry.TimerId == TimerEntry.RepairLinksId)
        {
            // Takes the locks it needs itself: children and parents are other instances.
            await RepairLinksAsync(instance);
            return;
        }

        await instance.Lock.WaitAsync();
        try
        {
            if (instance.Generation != entry.Generation || instance.IsTerminal)
            {
                return;
            }

            if (entry.TimerId == TimerEntry.DeferredTurnId)
            {
                Dispatch(instance);
                return;
            }

            if (!instance.Timers.Remove(entry.TimerId, out var fireAt))
            {
                return; // already fired
            }

            var fired = NewEvent(e => e.TimerFired = new TimerFiredEvent { TimerId = entry.TimerId, FireAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(fireAt) });
            instance.Inbox.Add(fired);
            try
            {
                await _store.SaveAsync(instance, CancellationToken.None);
            }
            catch
            {
                // Still due: the timer loop fires it again shortly (a timer taken out here would never fire).
                instance.Inbox.Remove(fired);
                instance.Timers[entry.TimerId] = fireAt;
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

    private async Task CreateChildAsync(string parentId, HistoryEvent created, ExecutionStartedEvent parentStarted, CancellationToken cancellationToken)
    {
        var store = await ReadyStoreAsync();
        var childId = created.ChildWorkflowInstanceCreated.InstanceId;
        var child = _instances.GetOrAdd(childId, static key => new WorkflowInstance(key));
        await child.Lock.WaitAsync(cancellationToken);
        try
        {
            var existingParent = (child.Started ?? child.PendingStart)?.ParentInstance;
            if (Exists(child) && !child.IsTerminal)
            {
                if (existingParent?.WorkflowInstance?.InstanceId == parentId && existingParent.TaskScheduledId == created.EventId)
                {
                    return; // the same child again (recovery): idempotent
                }

                WorkflowLog.ChildIdInUse(_logger, parentId, childId);
                return;
            }

            if (Exists(child))
            {
                await store.DeleteAsync(child, cancellationToken);
                Reset(child);
            }

            var started = new ExecutionStartedEvent
            {
                Name = created.ChildWorkflowInstanceCreated.Name,
                Version = created.ChildWorkflowInstanceCreated.Version,
                Input = created.ChildWorkflowInstanceCreated.Input,
                WorkflowInstance = new Dapr.DurableTask.Protobuf.WorkflowInstance { InstanceId = childId, ExecutionId = Guid.NewGuid().ToString("N") },
                ParentInstance = new ParentInstanceInfo
                {
                    TaskScheduledId = created.EventId,
                    Name = parentStarted.Name,
                    WorkflowInstance = new Dapr.DurableTask.Protobuf.WorkflowInstance { InstanceId = parentId, ExecutionId = parentStarted.WorkflowInstance?.ExecutionId },
                    AppID = _options.AppId,
                },
            };
            child.Inbox.Add(NewEvent(e => e.ExecutionStarted = started));
            try
            {
                await store.SaveAsync(child, cancellationToken);
            }
            catch
            {
                // Left in memory, the child would look started (so never created again) yet never run.
                child.Inbox.Clear();
                throw;
            }

            Dispatch(child);
            child.NotifyChanged();
        }
        finally
        {
            child.Lock.Release();
        }

        Interlocked.Exchange(ref _instanceCreated, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>A finished child reports to its parent's inbox: completed with its result, else failed (terminated = failed without details).</summary>
    private async Task NotifyParentIfTerminalAsync(WorkflowInstance child, CancellationToken cancellationToken)
    {
        ParentInstanceInfo? parentInfo;
        ExecutionCompletedEvent? completed;
        await child.Lock.WaitAsync(cancellationToken);
        try
        {
            parentInfo = child.Started?.ParentInstance;
            completed = child.Completed;
        }
        finally
        {
            child.Lock.Release();
        }

        if (parentInfo?.WorkflowInstance?.InstanceId is not { } parentId || completed is null || !_instances.TryGetValue(parentId, out var parent))
        {
            return;
        }

        var taskId = parentInfo.TaskScheduledId;
        var alreadyReported = false;
        await parent.Lock.WaitAsync(cancellationToken);
        try
        {
            alreadyReported = parent.History.Concat(parent.Inbox).Any(e =>
                (e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCompleted && e.ChildWorkflowInstanceCompleted.TaskScheduledId == taskId) ||
                (e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceFailed && e.ChildWorkflowInstanceFailed.TaskScheduledId == taskId));
        }
        finally
        {
            parent.Lock.Release();
        }

        if (alreadyReported)
        {
            return;
        }

        await EnqueueAsync(parent, e =>
        {
            if (completed.WorkflowStatus == OrchestrationStatus.Completed)
            {
                e.ChildWorkflowInstanceCompleted = new ChildWorkflowInstanceCompletedEvent { TaskScheduledId = taskId, Result = completed.Result };
            }
            else
            {
                e.ChildWorkflowInstanceFailed = new ChildWorkflowInstanceFailedEvent { TaskScheduledId = taskId, FailureDetails = completed.FailureDetails };
            }
        }, cancellationToken);
    }

    /// <summary>After a restart: rebuild pending activities and timers from history, re-dispatch, repair child/parent links.</summary>
    private async Task ResumeAfterLoadAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var children = new List<(HistoryEvent, ExecutionStartedEvent)>();
        await instance.Lock.WaitAsync(cancellationToken);
        try
        {
            if (!instance.IsTerminal)
            {
                var all = instance.History.Concat(instance.Inbox).ToList();
                var finishedTasks = all.Select(e => e.EventTypeCase switch
                {
                    HistoryEvent.EventTypeOneofCase.TaskCompleted => e.TaskCompleted.TaskScheduledId,
                    HistoryEvent.EventTypeOneofCase.TaskFailed => e.TaskFailed.TaskScheduledId,
                    _ => (int?)null,
                }).OfType<int>().ToHashSet();
                var firedTimers = all.Where(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.TimerFired).Select(e => e.TimerFired.TimerId).ToHashSet();
                foreach (var evt in instance.History)
                {
                    if (evt.EventTypeCase == HistoryEvent.EventTypeOneofCase.TaskScheduled && !finishedTasks.Contains(evt.EventId))
                    {
                        var task = evt.TaskScheduled;
                        instance.Activities[evt.EventId] = new PendingActivity(
                            new ActivityRequest
                            {
                                Name = task.Name, Version = task.Version, Input = task.Input, TaskId = evt.EventId, TaskExecutionId = task.TaskExecutionId,
                                WorkflowInstance = new Dapr.DurableTask.Protobuf.WorkflowInstance { InstanceId = instance.Id },
                            },
                            instance.Generation);
                        _work.Writer.TryWrite(new WorkToken(instance.Id, evt.EventId, instance.Generation));
                    }
                    else if (evt.EventTypeCase == HistoryEvent.EventTypeOneofCase.TimerCreated && !firedTimers.Contains(evt.EventId) && !IsSentinel(evt.TimerCreated.FireAt))
                    {
                        instance.Timers[evt.EventId] = evt.TimerCreated.FireAt.ToDateTimeOffset();
                        _timers.Schedule(new TimerEntry(instance.Id, evt.EventId, instance.Generation, instance.Timers[evt.EventId]));
                    }
                }

                foreach (var childId in RunningChildren(instance))
                {
                    var created = instance.History.First(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ChildWorkflowInstanceCreated && e.ChildWorkflowInstanceCreated.InstanceId == childId);
                    children.Add((created, instance.Started!));
                }

                Dispatch(instance);
            }
        }
        finally
        {
            instance.Lock.Release();
        }

        foreach (var (created, parentStarted) in children)
        {
            await CreateChildAsync(instance.Id, created, parentStarted, cancellationToken);
        }

        await NotifyParentIfTerminalAsync(instance, cancellationToken);
    }
}
