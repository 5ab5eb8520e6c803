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
        var operations = new List<StateOperation>();
        for (var i = instance.PersistedHistoryCount; i < instance.History.Count; i++)
        {
            operations.Add(Upsert(Key(instance.Id, HistoryName(i)), instance.History[i].ToByteArray()));
        }

        for (var i = instance.History.Count; i < instance.PersistedHistoryCount; i++)
        {
            operations.Add(Delete(Key(instance.Id, HistoryName(i))));
        }

        // A row whose event is still the one stored is left alone: an activity result adds one row, not one per
        // event waiting in the inbox. A turn that consumed the head of the inbox shifts the rest, which rewrites them.
        var persistedInbox = instance.PersistedInbox;
        for (var i = 0; i < instance.Inbox.Count; i++)
        {
            if (i >= persistedInbox.Count || !ReferenceEquals(instance.Inbox[i], persistedInbox[i]))
            {
                operations.Add(Upsert(Key(instance.Id, InboxName(i)), instance.Inbox[i].ToByteArray()));
            }
        }

        for (var i = instance.Inbox.Count; i < persistedInbox.Count; i++)
        {
            operations.Add(Delete(Key(instance.Id, InboxName(i))));
        }

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
            // The transaction may have committed before the error reached us: the next save rewrites every inbox
            // row that may be there, and the customStatus row.
            var rows = Math.Max(instance.Inbox.Count, persistedInbox.Count);
            persistedInbox.Clear();
            persistedInbox.AddRange(Enumerable.Repeat<HistoryEvent?>(null, rows));

            instance.PersistedCustomStatusUnknown = true;
            throw;
        }

        instance.PersistedHistoryCount = instance.History.Count;
        persistedInbox.Clear();
        persistedInbox.AddRange(instance.Inbox);
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

        instance.PersistedHistoryCount = historyLength;
        instance.PersistedInbox.AddRange(instance.Inbox);
        instance.PersistedCustomStatus = instance.CustomStatus;
        return instance;
    }

    public async Task DeleteAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var operations = new List<StateOperation>();
        for (var i = 0; i < Math.Max(instance.History.Count, instance.PersistedHistoryCount); i++)
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
        instance.PersistedHistoryCount = 0;
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
