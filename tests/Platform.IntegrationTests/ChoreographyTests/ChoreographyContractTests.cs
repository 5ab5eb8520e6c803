using System.Text.Json;
using Orders.Choreography;
using Orders.Replica;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// DESIGN §4: every producer sample of the choreographed saga, serialised as the producer writes it to its outbox,
/// read through each consumer's own copy of the fields, with the values the consumer acts on intact.
/// </summary>
public sealed class ChoreographyContractTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private const string OrderId = "3f2b8c1e-0d4a-4f6b-9a51-2c7e8d9f0a1b";

    private static string Json(object sample) => JsonSerializer.Serialize(sample, sample.GetType(), JsonSerializerOptions.Web);

    [Fact]
    public void OrderPlaced_ProducerSample_ReadByPaymentsAndInventory()
    {
        var json = Json(new Orders.Contracts.OrderPlaced(
            $"{OrderId}:1", OrderId, "cust-1", 1, Orders.Domain.SagaMode.Choreography,
            [new Orders.Contracts.OrderPlacedLine("SKU-1", "Mug", 2, 12.75m)], "EUR", 25.50m, At));

        var payments = JsonSerializer.Deserialize<Payments.Choreography.OrderPlacedCopy>(json, Payments.Choreography.SagaEventsApi.EventJson)!;
        var inventory = JsonSerializer.Deserialize<Inventory.Choreography.OrderPlacedCopy>(json, Inventory.Choreography.SagaEventsApi.EventJson)!;

        Assert.Equal(new Payments.Choreography.OrderPlacedCopy($"{OrderId}:1", OrderId, "cust-1", 1, "Choreography", 25.50m, "EUR"), payments);
        Assert.Equal("Choreography", inventory.SagaMode);
        Assert.Equal(OrderId, inventory.OrderId);
        Assert.Equal([new Inventory.Choreography.OrderPlacedLineCopy("SKU-1", 2)], inventory.Lines);
    }

    [Fact]
    public void OrderConfirmed_ProducerSample_ReadByPaymentsAndInventory()
    {
        var json = Json(new Orders.Contracts.OrderConfirmed($"{OrderId}:2", OrderId, "cust-1", 2, At, Orders.Domain.SagaMode.Choreography));

        Assert.Equal(new Payments.Choreography.OrderConfirmedCopy($"{OrderId}:2", OrderId, 2, "Choreography"), JsonSerializer.Deserialize<Payments.Choreography.OrderConfirmedCopy>(json, Payments.Choreography.SagaEventsApi.EventJson));
        Assert.Equal(new Inventory.Choreography.OrderEventCopy($"{OrderId}:2", OrderId, 2, "Choreography"), JsonSerializer.Deserialize<Inventory.Choreography.OrderEventCopy>(json, Inventory.Choreography.SagaEventsApi.EventJson));
    }

    [Fact]
    public void StockEvents_ProducerSamples_ReadByPaymentsAndOrders()
    {
        var reserved = Json(new Inventory.Contracts.StockReserved($"{OrderId}:2", OrderId, 2, [new Inventory.Contracts.StockLine("SKU-1", 2)], At));
        var rejected = Json(new Inventory.Contracts.StockRejected($"{OrderId}:2", OrderId, 2, "insufficient stock", [new Inventory.Contracts.StockShortage("SKU-1", 2, 1)], At));

        Assert.Equal(new Payments.Choreography.StockReservedCopy($"{OrderId}:2", OrderId, 2), JsonSerializer.Deserialize<Payments.Choreography.StockReservedCopy>(reserved, Payments.Choreography.SagaEventsApi.EventJson));
        Assert.Equal(new SagaOutcomeEvent($"{OrderId}:2", OrderId, 2, "insufficient stock"), JsonSerializer.Deserialize<SagaOutcomeEvent>(rejected, CatalogEventsApi.EventJson));
    }

    [Fact]
    public void PaymentEvents_ProducerSamples_ReadByOrdersAndInventory()
    {
        var succeeded = Json(new Payments.Contracts.PaymentSucceeded("pay-1:2", OrderId, "cust-1", "pay-1", 25.50m, "EUR", 2, At));
        var failed = Json(new Payments.Contracts.PaymentFailed("pay-1:2", OrderId, "cust-1", "pay-1", 1200m, "EUR", 2, At, "amount above limit"));

        Assert.Equal(new SagaOutcomeEvent("pay-1:2", OrderId, 2), JsonSerializer.Deserialize<SagaOutcomeEvent>(succeeded, CatalogEventsApi.EventJson));
        Assert.Equal(new SagaOutcomeEvent("pay-1:2", OrderId, 2, "amount above limit"), JsonSerializer.Deserialize<SagaOutcomeEvent>(failed, CatalogEventsApi.EventJson));
        Assert.Equal(new Inventory.Choreography.OrderEventCopy("pay-1:2", OrderId, 2), JsonSerializer.Deserialize<Inventory.Choreography.OrderEventCopy>(failed, Inventory.Choreography.SagaEventsApi.EventJson));
    }
}
