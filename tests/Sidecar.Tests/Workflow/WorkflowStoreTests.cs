using Dapr.DurableTask.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sidecar.State;
using Sidecar.Workflow;
using WorkflowInstance = Sidecar.Workflow.WorkflowInstance;

namespace Sidecar.Tests.Workflow;

/// <summary>
/// What a save of a workflow instance writes: only the rows that changed, with daprd's layout intact, also after a
/// save whose outcome is unknown (it may have committed before the error arrived).
/// </summary>
public sealed class WorkflowStoreTests
{
    private const string Id = "order-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Save_AnEventJoinsTheInbox_WritesItsRowAndTheMetadataOnly()
    {
        var (backing, store) = NewStore();
        var instance = new WorkflowInstance(Id);
        instance.Inbox.Add(Event(1));
        instance.CustomStatus = "\"reserving\"";
        await store.SaveAsync(instance, Ct);

        instance.Inbox.Add(Event(2));
        await store.SaveAsync(instance, Ct);

        Assert.Equal(["upsert inbox-000001", "upsert metadata"], backing.LastTransaction);
        await AssertLoadsAsSavedAsync(store, instance);
    }

    [Fact]
    public async Task Save_ATurnConsumedTheInboxHead_RewritesTheShiftedRowsAndDeletesTheLast()
    {
        var (backing, store) = NewStore();
        var instance = new WorkflowInstance(Id);
        instance.Inbox.AddRange([Event(1), Event(2), Event(3)]);
        await store.SaveAsync(instance, Ct);

        instance.History.Add(instance.Inbox[0]);
        instance.Inbox.RemoveAt(0);
        instance.CustomStatus = "\"charging\"";
        await store.SaveAsync(instance, Ct);

        Assert.Equal(
            ["upsert history-000000", "upsert inbox-000000", "upsert inbox-000001", "delete inbox-000002", "upsert customStatus", "upsert metadata"],
            backing.LastTransaction);
        await AssertLoadsAsSavedAsync(store, instance);
    }

    [Fact]
    public async Task Save_ThePreviousSaveCommittedButReportedAnError_RewritesEveryRowItMayHaveChanged()
    {
        var (backing, store) = NewStore();
        var instance = new WorkflowInstance(Id);
        instance.Inbox.AddRange([Event(1), Event(2)]);
        instance.CustomStatus = "\"reserving\"";
        await store.SaveAsync(instance, Ct);

        // A turn's save commits, then the connection drops: the engine undoes the turn in memory (its Restore).
        var (inbox, status) = (instance.Inbox.ToList(), instance.CustomStatus);
        instance.History.Add(instance.Inbox[0]);
        instance.Inbox.RemoveAt(0);
        instance.CustomStatus = null;
        backing.FailAfterCommit = true;
        await Assert.ThrowsAsync<IOException>(() => store.SaveAsync(instance, Ct));
        instance.History.Clear();
        instance.Inbox.Clear();
        instance.Inbox.AddRange(inbox);
        instance.CustomStatus = status;

        await store.SaveAsync(instance, Ct);

        Assert.Equal(
            ["delete history-000000", "upsert inbox-000000", "upsert inbox-000001", "upsert customStatus", "upsert metadata"],
            backing.LastTransaction);
        await AssertLoadsAsSavedAsync(store, instance);
    }

    [Fact]
    public async Task Save_AContinueAsNewCommittedButReportedAnError_TheRestoredHistoryIsWrittenAgain()
    {
        var (backing, store) = NewStore();
        var instance = new WorkflowInstance(Id);
        instance.History.AddRange([Event(1), Event(2)]);
        await store.SaveAsync(instance, Ct);

        // A continue-as-new turn deletes the history; its save commits, then the connection drops, and the engine
        // undoes the turn in memory. The next save (an activity result) must bring the history rows back.
        var history = instance.History.ToList();
        instance.History.Clear();
        instance.Inbox.Add(Event(3));
        backing.FailAfterCommit = true;
        await Assert.ThrowsAsync<IOException>(() => store.SaveAsync(instance, Ct));
        instance.History.AddRange(history);
        instance.Inbox.Clear();

        instance.Inbox.Add(Event(4));
        await store.SaveAsync(instance, Ct);

        Assert.Equal(
            ["upsert history-000000", "upsert history-000001", "upsert inbox-000000", "delete customStatus", "upsert metadata"],
            backing.LastTransaction);
        await AssertLoadsAsSavedAsync(store, instance);
    }

    private static (RecordingStore Backing, WorkflowStore Store) NewStore()
    {
        var backing = new RecordingStore(new InMemoryStateStore(TimeProvider.System));
        return (backing, new WorkflowStore(backing, "saga", "default"));
    }

    private static async Task AssertLoadsAsSavedAsync(WorkflowStore store, WorkflowInstance saved)
    {
        var loaded = await store.LoadAsync(Id, Ct);
        Assert.NotNull(loaded);
        Assert.Equal(saved.History, loaded.History);
        Assert.Equal(saved.Inbox, loaded.Inbox);
        Assert.Equal(saved.CustomStatus, loaded.CustomStatus);
    }

    private static HistoryEvent Event(int n) => new()
    {
        EventId = -1,
        Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(n)),
        EventRaised = new EventRaisedEvent { Name = $"event-{n}" },
    };

    /// <summary>Records each transaction's operations as "upsert|delete &lt;row name&gt;"; can fail a transaction after committing it.</summary>
    private sealed class RecordingStore(IStateStore inner) : IStateStore
    {
        public IReadOnlyList<string> LastTransaction { get; private set; } = [];

        public bool FailAfterCommit { get; set; }

        public StateFeatures Features => inner.Features;

        public Task InitAsync(CancellationToken cancellationToken) => inner.InitAsync(cancellationToken);

        public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public Task SetAsync(StateSetRequest request, CancellationToken cancellationToken) => inner.SetAsync(request, cancellationToken);

        public Task DeleteAsync(StateDeleteRequest request, CancellationToken cancellationToken) => inner.DeleteAsync(request, cancellationToken);

        public async Task ExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
        {
            LastTransaction = operations.Select(o => $"{(o is UpsertOperation ? "upsert" : "delete")} {o.Key[(o.Key.LastIndexOf("||", StringComparison.Ordinal) + 2)..]}").ToList();
            await inner.ExecuteTransactionAsync(operations, cancellationToken);
            if (FailAfterCommit)
            {
                FailAfterCommit = false;
                throw new IOException("connection reset after the commit");
            }
        }

        public Task<StateQueryResult> QueryAsync(string queryJson, CancellationToken cancellationToken) => inner.QueryAsync(queryJson, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
