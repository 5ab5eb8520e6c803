using System.Text.Json;
using Catalog.Contracts;
using Inventory.Contracts;
using OrderQuery.Projections;
using Orders.Contracts;
using Orders.Domain;
using Payments.Contracts;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>Each producer's own event record, serialized as JSON, read through order-query's copy (DESIGN §4).</summary>
public sealed class EventContractTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> Samples => new()
    {
        { "orders", nameof(OrderPlaced) }, { "orders", nameof(OrderConfirmed) }, { "orders", nameof(OrderCancelled) }, { "orders", nameof(OrderReviewed) },
        { "payments", nameof(PaymentSucceeded) }, { "payments", nameof(PaymentFailed) }, { "payments", nameof(PaymentRefunded) },
        { "payments", nameof(CreditAwarded) }, { "payments", nameof(CreditRevoked) },
        { "inventory", nameof(StockReserved) }, { "inventory", nameof(StockRejected) }, { "inventory", nameof(StockReleased) }, { "inventory", nameof(StockCommitted) },
        { "catalog", nameof(ProductCreated) }, { "catalog", nameof(ProductUpdated) }, { "catalog", nameof(ProductPriceChanged) },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void ProducerSample_ReadByOrderQuery_KeepsIdsVersionAndTime(string topic, string eventType)
    {
        const string order = "3f2c1d7e-0000-4000-8000-000000000001";
        StockLine[] lines = [new("SKU-1", 2)];
        object sample = eventType switch
        {
            nameof(OrderPlaced) => new OrderPlaced($"{order}:1", order, "cust-1", 1, SagaMode.Choreography, [new OrderPlacedLine("SKU-1", "Mug", 2, 10.5m)], "EUR", 21m, At),
            nameof(OrderConfirmed) => new OrderConfirmed($"{order}:2", order, "cust-1", 2, At, SagaMode.Orchestration),
            nameof(OrderCancelled) => new OrderCancelled($"{order}:2", order, "cust-1", 2, "declined", At),
            nameof(OrderReviewed) => new OrderReviewed($"{order}:2", order, "cust-1", 2, SagaMode.Choreography, Approved: true, "alice", null, At),
            nameof(PaymentSucceeded) => new PaymentSucceeded("pay-1:1", order, "cust-1", "pay-1", 21m, "EUR", 1, At),
            nameof(PaymentFailed) => new PaymentFailed("pay-1:1", order, "cust-1", "pay-1", 21m, "EUR", 1, At, "declined"),
            nameof(PaymentRefunded) => new PaymentRefunded("pay-1:2", order, "cust-1", "pay-1", 21m, "EUR", 2, At, "cancelled"),
            nameof(CreditAwarded) => new CreditAwarded("credit:cust-1:3", "cust-1", order, 21, 40, 3, At),
            nameof(CreditRevoked) => new CreditRevoked("credit:cust-1:4", "cust-1", order, 21, 19, 4, At),
            nameof(StockReserved) => new StockReserved($"{order}:1", order, 1, lines, At),
            nameof(StockRejected) => new StockRejected($"{order}:1", order, 1, "insufficient stock", [new StockShortage("SKU-1", 2, 0)], At),
            nameof(StockReleased) => new StockReleased($"{order}:2", order, 2, lines, At),
            nameof(StockCommitted) => new StockCommitted($"{order}:2", order, 2, lines, At),
            nameof(ProductCreated) => new ProductCreated("SKU-1:1", "SKU-1", 1, "Mug", "kitchen", 12.5m, "EUR", true, At),
            nameof(ProductUpdated) => new ProductUpdated("SKU-1:2", "SKU-1", 2, "Mug", "kitchen", 12.5m, "EUR", false, At),
            _ => new ProductPriceChanged("SKU-1:3", "SKU-1", 3, "Mug", "kitchen", 14m, "EUR", false, 12.5m, "EUR", At),
        };
        var json = JsonSerializer.SerializeToElement(sample, sample.GetType(), ReadSide.Json);

        var parsed = IncomingEvents.Parse(topic, eventType, json);

        var (eventId, version, occurredAt) = parsed switch
        {
            ParsedEvent.ForOrder { Fact: var f } => (f.EventId, f.Version, f.OccurredAt),
            ParsedEvent.ForProduct p => (p.EventId, p.Product.Version, p.Product.UpdatedAt),
            ParsedEvent.Unusable u => throw new Xunit.Sdk.XunitException(u.Reason),
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(json.GetProperty("eventId").GetString(), eventId);
        Assert.Equal(json.GetProperty("version").GetInt64(), version);
        Assert.Equal(At, occurredAt);
        if (parsed is ParsedEvent.ForOrder { Fact: var fact })
        {
            Assert.Equal(order, fact.OrderId);
            Assert.Equal(eventType, fact.EventType);
        }
    }

    [Fact]
    public void OrderPlaced_WithoutLines_IsUnusable()
    {
        var json = JsonSerializer.SerializeToElement(new { eventId = "o:1", orderId = "o", customerId = "c", version = 1, occurredAt = At }, ReadSide.Json);

        Assert.IsType<ParsedEvent.Unusable>(IncomingEvents.Parse("orders", nameof(OrderPlaced), json));
    }
}
