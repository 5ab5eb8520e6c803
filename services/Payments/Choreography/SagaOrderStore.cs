using Dapr.Client;
using Payments.Domain;

namespace Payments.Choreography;

/// <summary>
/// The per-order copies of OrderPlaced in payments-store under <c>saga-order-&lt;orderId&gt;</c>. Written with
/// SaveState, which never publishes (only outbox transactions do), and keyed by order id: an order is placed once,
/// so a duplicate or redelivered OrderPlaced writes the same copy again (natural idempotency, no inbox needed).
/// </summary>
public sealed class SagaOrderStore(DaprClient dapr)
{
    public static string Key(string orderId) => "saga-order-" + orderId;

    public Task<SagaOrder?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<SagaOrder?>(DaprNames.StateStore, Key(orderId), cancellationToken: cancellationToken);

    public Task SaveAsync(SagaOrder order, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(DaprNames.StateStore, Key(order.OrderId), order, cancellationToken: cancellationToken);
}
