using Dapr.Client;
using Inventory.Domain;

namespace Inventory.Choreography;

/// <summary>
/// The orders inventory saw placed in the choreographed saga, in inventory-store under <c>saga-order-&lt;orderId&gt;</c>.
/// Written with SaveState, which never publishes (only outbox transactions do); keyed by order id, so a duplicate
/// OrderPlaced writes the same fact again.
/// </summary>
public sealed class SagaMarkerStore(DaprClient dapr)
{
    public static string Key(string orderId) => "saga-order-" + orderId;

    public Task<SagaParticipation?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<SagaParticipation?>(DaprNames.StateStore, Key(orderId), cancellationToken: cancellationToken);

    public Task SaveAsync(SagaParticipation participation, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(DaprNames.StateStore, Key(participation.OrderId), participation, cancellationToken: cancellationToken);
}
