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

    public static string StockReservedKey(string orderId) => "saga-stock-reserved-" + orderId;

    public static string ApprovedKey(string orderId) => "saga-review-approved-" + orderId;

    /// <summary>
    /// Records that the order's stock is reserved, then reads the whole gate. Each fact has its own key and is only
    /// ever set (plain SaveState, the same value again on a duplicate), so no write can lose the other fact; writing
    /// before reading means of two concurrent handlers at least the second sees both facts.
    /// </summary>
    public async Task<ChargeGate> RecordStockReservedAsync(string orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, StockReservedKey(orderId), now, cancellationToken: cancellationToken);
        return await GateAsync(orderId, cancellationToken);
    }

    /// <summary>Records the review approval, then reads the whole gate (see <see cref="RecordStockReservedAsync"/>).</summary>
    public async Task<ChargeGate> RecordApprovedAsync(string orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, ApprovedKey(orderId), now, cancellationToken: cancellationToken);
        return await GateAsync(orderId, cancellationToken);
    }

    public async Task<ChargeGate> GateAsync(string orderId, CancellationToken cancellationToken)
    {
        var facts = await dapr.GetBulkStateAsync(DaprNames.StateStore, [StockReservedKey(orderId), ApprovedKey(orderId)], parallelism: null, cancellationToken: cancellationToken);
        bool Has(string key) => facts.Any(f => f.Key == key && !string.IsNullOrEmpty(f.Value));
        return new ChargeGate(Has(StockReservedKey(orderId)), Has(ApprovedKey(orderId)));
    }
}
