using System.Text.Json;
using Orders.Choreography;
using Orders.Replica;

namespace Platform.IntegrationTests.Contracts;

/// <summary>
/// The event pairs of a customer cancellation (DESIGN §4): each producer sample, serialised as the producer writes
/// it to its outbox, read through each consumer's own copy of the fields, with the values the consumer acts on intact.
/// </summary>
public sealed class CancellationContractTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private const string OrderId = "3f2b8c1e-0d4a-4f6b-9a51-2c7e8d9f0a1b";

    // order-saga reads events with these settings (OrderEventsApi): camelCase, a missing required field is malformed.
    private static readonly JsonSerializerOptions SagaEventJson = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private static string Json(object sample) => JsonSerializer.Serialize(sample, sample.GetType(), JsonSerializerOptions.Web);

    [Fact]
    public void OrderCancellationRequested_ProducerSample_ReadByOrderSagaPaymentsAndInventory()
    {
        var json = Json(new Orders.Contracts.OrderCancellationRequested(
            $"{OrderId}:3", OrderId, "cust-1", 3, Orders.Domain.SagaMode.Orchestration, "changed my mind", "EUR", 25.50m, At));

        var saga = JsonSerializer.Deserialize<OrderSaga.Sagas.OrderCancellationRequestedEvent>(json, SagaEventJson)!;
        var payments = JsonSerializer.Deserialize<Payments.Choreography.OrderCancellationRequestedCopy>(json, Payments.Choreography.SagaEventsApi.EventJson)!;
        var inventory = JsonSerializer.Deserialize<Inventory.Choreography.OrderEventCopy>(json, Inventory.Choreography.SagaEventsApi.EventJson)!;

        Assert.Equal(new OrderSaga.Sagas.OrderCancellationRequestedEvent($"{OrderId}:3", OrderId, "cust-1", 3, OrderSaga.Sagas.OrderEventsApi.OrchestrationMode, "changed my mind"), saga);
        Assert.Equal(new Payments.Choreography.OrderCancellationRequestedCopy($"{OrderId}:3", OrderId, "cust-1", 3, "Orchestration", "changed my mind"), payments);
        Assert.Equal(new Inventory.Choreography.OrderEventCopy($"{OrderId}:3", OrderId, 3, "Orchestration"), inventory);
    }

    [Fact]
    public void StockReturned_ProducerSample_ReadByOrders()
    {
        var json = Json(new Inventory.Contracts.StockReturned($"{OrderId}:5", OrderId, 5, [new Inventory.Contracts.StockLine("SKU-1", 2)], At));

        Assert.Equal(new SagaOutcomeEvent($"{OrderId}:5", OrderId, 5), JsonSerializer.Deserialize<SagaOutcomeEvent>(json, CatalogEventsApi.EventJson));
    }

    [Fact]
    public void PaymentRefunded_ProducerSample_ReadByOrders()
    {
        var json = Json(new Payments.Contracts.PaymentRefunded("pay-1:3", OrderId, "cust-1", "pay-1", 25.50m, "EUR", 3, At, "changed my mind"));

        // The refund reason rides along as the outcome's reason; orders only needs the order id to note the refund.
        Assert.Equal(new SagaOutcomeEvent("pay-1:3", OrderId, 3, "changed my mind"), JsonSerializer.Deserialize<SagaOutcomeEvent>(json, CatalogEventsApi.EventJson));
    }
}
