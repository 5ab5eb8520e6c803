using System.Text;
using Grpc.Core;
using Sidecar.Api;
using Sidecar.Components;
using Sidecar.Hosting;
using Sidecar.Resources;
using Sidecar.State;

namespace Sidecar.Outbox;

/// <summary>One operation of an ExecuteStateTransaction call: the store operation (key already prefixed) and the op's metadata.</summary>
public sealed record TransactionInput(StateOperation Operation, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The outbox settings of a state store; the runtime reads these keys with exact case.</summary>
public sealed record OutboxSettings(string PublishPubsub, string PublishTopic, string OutboxPubsub, bool DiscardWhenMissingState)
{
    public static OutboxSettings? From(ComponentResource store)
    {
        var publishPubsub = store.Metadata.GetExact("outboxPublishPubsub");
        var publishTopic = store.Metadata.GetExact("outboxPublishTopic");
        if (string.IsNullOrEmpty(publishPubsub) || string.IsNullOrEmpty(publishTopic))
        {
            return null;
        }

        var outboxPubsub = store.Metadata.GetExact("outboxPubsub") is { Length: > 0 } internalPubsub ? internalPubsub : publishPubsub;
        var discard = store.Metadata.GetExact("outboxDiscardWhenMissingState") is { } flag && ComponentMetadata.IsTruthy(flag);
        return new OutboxSettings(publishPubsub, publishTopic, outboxPubsub, discard);
    }

    /// <summary>The internal topic: plain concatenation of namespace, app id, user topic and "outbox".</summary>
    public string InternalTopic(string @namespace, string appId) => @namespace + appId + PublishTopic + "outbox";
}

/// <summary>
/// daprd's transactional outbox, phase 1 (contract §3.2): runs inside ExecuteStateTransaction before the store
/// transaction. It removes projections, adds one marker upsert per remaining upsert, and publishes one internal
/// message per upsert. If the store transaction then fails, those messages were published anyway; the relay
/// (<see cref="OutboxRelay"/>) drops or rejects them when their marker never appears.
/// </summary>
public sealed class TransactionalOutbox(SidecarOptions options, ComponentRegistry registry, TimeProvider time)
{
    public const string MarkerPrefix = "outbox-";

    /// <summary>The marker's value: daprd stores the Go string "0", which every store JSON-encodes.</summary>
    internal static readonly StateValue MarkerValue = new(Encoding.UTF8.GetBytes("\"0\""), IsJson: true);

    /// <summary>Returns the operations to run in the store transaction (unchanged when the store has no outbox).</summary>
    public async Task<IReadOnlyList<StateOperation>> PrepareAsync(
        StateStoreComponent store, IReadOnlyList<TransactionInput> operations, TraceContext trace, CancellationToken cancellationToken)
    {
        if (OutboxSettings.From(store.Resource) is not { } settings)
        {
            return operations.Select(o => o.Operation).ToList();
        }

        var (remaining, projections) = ExtractProjections(operations);
        var broker = registry.PubSubs.TryGetValue(settings.OutboxPubsub, out var pubsub)
            ? pubsub.Broker
            : throw new RpcException(new Status(StatusCode.Internal, $"error while publishing outbox message: pubsub {settings.OutboxPubsub} not found"));
        var traceId = trace.TraceParent ?? NewTraceParent();
        var result = new List<StateOperation>(remaining.Select(o => o.Operation));
        foreach (var input in remaining)
        {
            if (input.Operation is not UpsertOperation upsert)
            {
                continue; // deletes publish nothing
            }

            var markerKey = MarkerPrefix + Guid.NewGuid().ToString("D");
            var source = projections.TryGetValue(upsert.Key, out var projection) ? projection : input;
            var payload = ((UpsertOperation)source.Operation).Request.Value.Bytes;
            var contentType = source.Metadata.GetValueOrDefault("contentType");
            var cloudEvent = OutboxCloudEvent.Build(
                markerKey, options.AppId, settings.OutboxPubsub, contentType, payload.Span, traceId, trace.TraceState, input.Metadata, time.GetLocalNow());
            try
            {
                await broker.PublishAsync(settings.InternalTopic(options.EffectiveNamespace, options.AppId), cloudEvent, new Dictionary<string, string>(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"error while publishing outbox message: {ex.Message}"));
            }

            result.Add(new UpsertOperation(new StateSetRequest(markerKey, MarkerValue, null, StateConcurrency.LastWrite, null)));
        }

        return result;
    }

    /// <summary>
    /// Removes upserts whose metadata has a truthy <c>outbox.projection</c>, remembered by key. This mirrors
    /// daprd's loop, which deletes from the slice while ranging over it: with more than one projection it can
    /// skip or duplicate operations, and where Go would panic we fail the call.
    /// </summary>
    internal static (List<TransactionInput> Remaining, Dictionary<string, TransactionInput> Projections) ExtractProjections(IReadOnlyList<TransactionInput> operations)
    {
        var backing = operations.ToArray();
        var length = backing.Length;
        var projections = new Dictionary<string, TransactionInput>(StringComparer.Ordinal);
        for (var i = 0; i < backing.Length; i++)
        {
            var input = backing[i];
            if (input.Operation is not UpsertOperation ||
                !input.Metadata.TryGetValue("outbox.projection", out var flag) || !ComponentMetadata.IsTruthy(flag))
            {
                continue;
            }

            projections[input.Operation.Key] = input;
            if (i + 1 > length)
            {
                throw new RpcException(new Status(StatusCode.Internal, "error while publishing outbox message: more than one outbox.projection in one transaction"));
            }

            Array.Copy(backing, i + 1, backing, i, length - i - 1);
            length--;
        }

        return (backing.Take(length).ToList(), projections);
    }

    private static string NewTraceParent() =>
        $"00-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01";
}
