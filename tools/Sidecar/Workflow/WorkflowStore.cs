using Dapr.DurableTask.Protobuf;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sidecar.State;

namespace Sidecar.Workflow;

/// <summary>
/// Persists workflow instances in the actor state store with daprd's layout (contract §6.8): keys
/// <c>&lt;appId&gt;||dapr.internal.&lt;ns&gt;.&lt;appId&gt;.workflow||&lt;instanceId&gt;||&lt;name&gt;</c> for
/// <c>metadata</c>, <c>history-NNNNNN</c>, <c>inbox-NNNNNN</c> and <c>customStatus</c>, values as protobuf bytes.
/// </summary>
internal sealed class WorkflowStore(IStateStore store, string appId, string @namespace)
{
    private readonly string _actorType = $"dapr.internal.{@namespace}.{appId}.workflow";

    public string Key(string instanceId, string name) => $"{appId}||{_actorType}||{instanceId}||{name}";

    public async Task SaveAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        // A row whose event is still the one stored is left alone: a turn adds its new history rows, an activity
        // result one inbox row. A turn that consumed the head of the inbox shifts the rest, which rewrites them.
        var operations = new List<StateOperation>();
        AddChangedRows(operations, instance.Id, instance.History, instance.PersistedHistory, HistoryName);
        AddChangedRows(operations, instance.Id, instance.Inbox, instance.PersistedInbox, InboxName);

        if (instance.PersistedCustomStatusUnknown || !string.Equals(instance.CustomStatus, instance.PersistedCustomStatus, StringComparison.Ordinal))
        {
            operations.Add(instance.CustomStatus is null
                ? Delete(Key(instance.Id, "customStatus"))
                : Upsert(Key(instance.Id, "customStatus"), new StringValue { Value = instance.CustomStatus }.ToByteArray()));
        }

        operations.Add(Upsert(Key(instance.Id, "metadata"), EncodeMetadata(instance.Inbox.Count, instance.History.Count, instance.Generation)));
        try
        {
            await store.ExecuteTransactionAsync(operations, cancellationToken);
        }
        catch
        {
            // The transaction may have committed before the error reached us: the next save rewrites every row
            // that may be there (a continue-as-new deleted the whole history), and the customStatus row.
            ForgetRows(instance.PersistedHistory, instance.History.Count);
            ForgetRows(instance.PersistedInbox, instance.Inbox.Count);
            instance.PersistedCustomStatusUnknown = true;
            throw;
        }

        Remember(instance.PersistedHistory, instance.History);
        Remember(instance.PersistedInbox, instance.Inbox);
        instance.PersistedCustomStatus = instance.CustomStatus;
        instance.PersistedCustomStatusUnknown = false;
    }

    /// <returns>Null when no metadata row exists for the id.</returns>
    public async Task<WorkflowInstance?> LoadAsync(string instanceId, CancellationToken cancellationToken)
    {
        var metadata = await store.GetAsync(Key(instanceId, "metadata"), cancellationToken);
        if (metadata is null)
        {
            return null;
        }

        var (inboxLength, historyLength, generation) = DecodeMetadata(metadata.Data);
        var instance = new WorkflowInstance(instanceId) { Generation = generation };
        for (var i = 0; i < historyLength; i++)
        {
            instance.History.Add(await ReadEventAsync(Key(instanceId, HistoryName(i)), cancellationToken));
        }

        for (var i = 0; i < inboxLength; i++)
        {
            instance.Inbox.Add(await ReadEventAsync(Key(instanceId, InboxName(i)), cancellationToken));
        }

        if (await store.GetAsync(Key(instanceId, "customStatus"), cancellationToken) is { } status)
        {
            instance.CustomStatus = StringValue.Parser.ParseFrom(status.Data).Value;
        }

        Remember(instance.PersistedHistory, instance.History);
        Remember(instance.PersistedInbox, instance.Inbox);
        instance.PersistedCustomStatus = instance.CustomStatus;
        return instance;
    }

    public async Task DeleteAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var operations = new List<StateOperation>();
        for (var i = 0; i < Math.Max(instance.History.Count, instance.PersistedHistory.Count); i++)
        {
            operations.Add(Delete(Key(instance.Id, HistoryName(i))));
        }

        for (var i = 0; i < Math.Max(instance.Inbox.Count, instance.PersistedInbox.Count); i++)
        {
            operations.Add(Delete(Key(instance.Id, InboxName(i))));
        }

        operations.Add(Delete(Key(instance.Id, "customStatus")));
        operations.Add(Delete(Key(instance.Id, "metadata")));
        await store.ExecuteTransactionAsync(operations, cancellationToken);
        instance.PersistedHistory.Clear();
        instance.PersistedInbox.Clear();
        instance.PersistedCustomStatus = null;
        instance.PersistedCustomStatusUnknown = false;
    }

    /// <summary>Instance ids from the metadata rows, as daprd's ListInstanceIDs finds them (KeysLike).</summary>
    public async Task<IReadOnlyList<string>> ListInstanceIdsAsync(CancellationToken cancellationToken)
    {
        var prefix = $"{appId}||{_actorType}||";
        var keys = await store.KeysLikeAsync(EscapeLike(prefix) + "%||metadata", cancellationToken);
        return keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.EndsWith("||metadata", StringComparison.Ordinal))
            .Select(k => k[prefix.Length..^"||metadata".Length])
            .ToList();
    }

    private static string EscapeLike(string text) => text.Replace("_", "\\_", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal);

    private async Task<HistoryEvent> ReadEventAsync(string key, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(key, cancellationToken)
            ?? throw new InvalidDataException($"workflow state row {key} is missing though the metadata row counts it");
        return HistoryEvent.Parser.ParseFrom(entry.Data);
    }

    /// <summary>Upserts the rows whose event is not the one the store holds, and deletes the rows past the end.</summary>
    private void AddChangedRows(List<StateOperation> operations, string instanceId, List<HistoryEvent> events, List<HistoryEvent?> persisted, Func<int, string> rowName)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (i >= persisted.Count || !ReferenceEquals(events[i], persisted[i]))
            {
                operations.Add(Upsert(Key(instanceId, rowName(i)), events[i].ToByteArray()));
            }
        }

        for (var i = events.Count; i < persisted.Count; i++)
        {
            operations.Add(Delete(Key(instanceId, rowName(i))));
        }
    }

    private static void Remember(List<HistoryEvent?> persisted, List<HistoryEvent> events)
    {
        persisted.Clear();
        persisted.AddRange(events);
    }

    /// <summary>Every row up to the longer of the two lists may or may not hold what we think: all are written next time.</summary>
    private static void ForgetRows(List<HistoryEvent?> persisted, int eventCount)
    {
        var rows = Math.Max(eventCount, persisted.Count);
        persisted.Clear();
        persisted.AddRange(Enumerable.Repeat<HistoryEvent?>(null, rows));
    }

    private static string HistoryName(int index) => $"history-{index:D6}";

    private static string InboxName(int index) => $"inbox-{index:D6}";

    private static UpsertOperation Upsert(string key, byte[] value) =>
        new(new StateSetRequest(key, StateValue.FromBytes(value), null, StateConcurrency.LastWrite, null));

    private static DeleteOperation Delete(string key) => new(new StateDeleteRequest(key, null, StateConcurrency.LastWrite));

    /// <summary>durabletask-go's BackendWorkflowStateMetadata: inboxLength = 1, historyLength = 2, generation = 3 (uint64 varints).</summary>
    internal static byte[] EncodeMetadata(int inboxLength, int historyLength, ulong generation)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer))
        {
            if (inboxLength != 0)
            {
                output.WriteTag(1, WireFormat.WireType.Varint);
                output.WriteUInt64((ulong)inboxLength);
            }

            if (historyLength != 0)
            {
                output.WriteTag(2, WireFormat.WireType.Varint);
                output.WriteUInt64((ulong)historyLength);
            }

            if (generation != 0)
            {
                output.WriteTag(3, WireFormat.WireType.Varint);
                output.WriteUInt64(generation);
            }
        }

        return buffer.ToArray();
    }

    internal static (int InboxLength, int HistoryLength, ulong Generation) DecodeMetadata(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        int inbox = 0, history = 0;
        ulong generation = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: inbox = (int)input.ReadUInt64(); break;
                case 2: history = (int)input.ReadUInt64(); break;
                case 3: generation = input.ReadUInt64(); break;
                default: input.SkipLastField(); break;
            }
        }

        return (inbox, history, generation);
    }
}
