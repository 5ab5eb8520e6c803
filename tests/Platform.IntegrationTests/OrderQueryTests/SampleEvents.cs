using Catalog.Contracts;
using Inventory.Contracts;
using Orders.Contracts;
using Payments.Contracts;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>Events as the producers write them (their own Contracts/ records), for one order.</summary>
internal sealed record SampleOrder(string OrderId, string CustomerId, DateTimeOffset At)
{
    public string PaymentId { get; } = "pay-" + OrderId;

    /// <summary>OrderPlaced as orders' outbox writes it (enums as strings, so an anonymous shape here).</summary>
    public object Placed(decimal unitPrice = 10.50m, int quantity = 2, string sku = "SKU-1", string name = "Blue mug") => new
    {
        eventId = $"{OrderId}:1",
        orderId = OrderId,
        customerId = CustomerId,
        version = 1L,
        sagaMode = "Choreography",
        lines = new[] { new { sku, productName = name, quantity, unitPrice } },
        currency = "EUR",
        total = unitPrice * quantity,
        occurredAt = At,
    };

    public OrderConfirmed Confirmed() => new($"{OrderId}:2", OrderId, CustomerId, 2, At.AddSeconds(4), Orders.Domain.SagaMode.Choreography);

    public OrderCancelled Cancelled(string reason) => new($"{OrderId}:2", OrderId, CustomerId, 2, reason, At.AddSeconds(4));

    public StockReserved Reserved() => new($"{OrderId}:1", OrderId, 1, [new Inventory.Contracts.StockLine("SKU-1", 2)], At.AddSeconds(1));

    public StockCommitted Committed() => new($"{OrderId}:2", OrderId, 2, [new Inventory.Contracts.StockLine("SKU-1", 2)], At.AddSeconds(5));

    public StockRejected Rejected() => new($"{OrderId}:1", OrderId, 1, "insufficient stock", [new StockShortage("SKU-1", 2, 0)], At.AddSeconds(1));

    public PaymentSucceeded Paid() => new($"{PaymentId}:1", OrderId, CustomerId, PaymentId, 21m, "EUR", 1, At.AddSeconds(2));

    public static ProductCreated Product(string sku, string name, string category, decimal price, long version = 1, DateTimeOffset? at = null) =>
        new($"{sku}:{version}", sku, version, name, category, price, "EUR", true, at ?? DateTimeOffset.UtcNow);
}
