using System.Text.Json;
using OrderQuery.Domain;
using OrderQuery.Projections;
using OrderQuery.Rebuild;

namespace OrderQuery.UnitTests;

/// <summary>
/// The rebuild's mapping of payments' and inventory's records to facts: the summary it yields must equal the one
/// the producers' live events yield (events written here in the producers' JSON shape and parsed by the live path).
/// </summary>
public sealed class SourceFactsTests
{
    private const string OrderId = "order-7";
    private const string PaymentId = "pay-7";
    private const string Customer = "cust-7";
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly ReservationLineCopy[] Lines = [new("SKU-1", 2), new("SKU-2", 1)];

    private static OrderFact Live(string topic, string type, object payload)
    {
        var parsed = IncomingEvents.Parse(topic, type, JsonSerializer.SerializeToElement(payload, JsonSerializerOptions.Web));
        return Assert.IsType<ParsedEvent.ForOrder>(parsed).Fact;
    }

    private static OrderFact Placed() => Live("orders", "OrderPlaced", new
    {
        eventId = $"{OrderId}:1", orderId = OrderId, customerId = Customer, version = 1, sagaMode = "Orchestration",
        lines = new[] { new { sku = "SKU-1", productName = "Mug", quantity = 2, unitPrice = 5.25m }, new { sku = "SKU-2", productName = "Cup", quantity = 1, unitPrice = 4m } },
        currency = "EUR", total = 14.50m, occurredAt = T0,
    });

    private static OrderFact OrderEnd(string type, DateTimeOffset at, string? reason = null) => Live("orders", type, new
    {
        eventId = $"{OrderId}:2", orderId = OrderId, customerId = Customer, version = 2, reason, occurredAt = at,
    });

    private static OrderCopy Order(string status, DateTimeOffset end, string? reason = null) => new(
        OrderId, Customer, status, "Orchestration", [new OrderLineCopy("SKU-1", "Mug", 2, 5.25m), new OrderLineCopy("SKU-2", "Cup", 1, 4m)], "EUR", 14.50m, 2,
        T0.AddMilliseconds(-5), T0, status == "Confirmed" ? end : null, status == "Cancelled" ? end : null, reason);

    private static OrderFact Payment(string type, long version, DateTimeOffset at, string? reason = null) => Live("payments", type, new
    {
        eventId = $"{PaymentId}:{version}", orderId = OrderId, customerId = Customer, paymentId = PaymentId, amount = 14.50m, currency = "EUR",
        version, occurredAt = at, reason,
    });

    private static OrderFact Stock(string type, long version, DateTimeOffset at) => Live("inventory", type, new
    {
        eventId = $"{OrderId}:{version}", orderId = OrderId, version, lines = Lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }), occurredAt = at,
    });

    private static OrderSummary ApplyAll(IEnumerable<OrderFact> facts) => facts.Aggregate(OrderSummary.Empty(OrderId), OrderProjection.Apply);

    private static OrderSummary Rebuilt(OrderCopy order, PaymentCopy? payment, ReservationCopy? reservation) => ApplyAll(
        Rebuilder.FactsOf(order)
            .Concat(payment is null ? [] : SourceFacts.FactsOf(payment))
            .Concat(reservation is null ? [] : SourceFacts.FactsOf(reservation)));

    private static void AssertSame(OrderSummary live, OrderSummary rebuilt)
    {
        Assert.Equal(live with { Lines = [], Timeline = [] }, rebuilt with { Lines = [], Timeline = [] });
        Assert.Equal(live.Lines, rebuilt.Lines);
        Assert.Equal(live.Timeline, rebuilt.Timeline);
    }

    [Fact]
    public void Rebuild_ConfirmedOrderWithCommittedStock_EqualsTheLiveEvents()
    {
        var live = ApplyAll([
            Placed(), Stock("StockReserved", 2, T0.AddSeconds(1)), Payment("PaymentSucceeded", 2, T0.AddSeconds(2)),
            OrderEnd("OrderConfirmed", T0.AddSeconds(3)), Stock("StockCommitted", 3, T0.AddSeconds(4)),
        ]);

        var rebuilt = Rebuilt(
            Order("Confirmed", T0.AddSeconds(3)),
            new PaymentCopy(OrderId, PaymentId, Customer, 14.50m, "EUR", "Succeeded", 2, T0.AddSeconds(2), SucceededAt: T0.AddSeconds(2)),
            new ReservationCopy(OrderId, "Committed", 3, Lines, T0.AddSeconds(4), ReservedAt: T0.AddSeconds(1)));

        AssertSame(live, rebuilt);
        Assert.Equal((SagaStatus.Confirmed, PaymentState.Succeeded, StockState.Committed, 5), (rebuilt.SagaStatus, rebuilt.PaymentStatus, rebuilt.StockStatus, rebuilt.Timeline.Count));
    }

    [Fact]
    public void Rebuild_DeclinedPaymentWithReleasedStock_EqualsTheLiveEvents()
    {
        const string declined = "card declined";
        var live = ApplyAll([
            Placed(), Stock("StockReserved", 2, T0.AddSeconds(1)), Payment("PaymentFailed", 2, T0.AddSeconds(2), declined),
            Stock("StockReleased", 3, T0.AddSeconds(3)), OrderEnd("OrderCancelled", T0.AddSeconds(4), "payment failed: " + declined),
        ]);

        var rebuilt = Rebuilt(
            Order("Cancelled", T0.AddSeconds(4), "payment failed: " + declined),
            new PaymentCopy(OrderId, PaymentId, Customer, 14.50m, "EUR", "Failed", 2, T0.AddSeconds(2), FailureReason: declined),
            new ReservationCopy(OrderId, "Released", 3, Lines, T0.AddSeconds(3), ReservedAt: T0.AddSeconds(1)));

        AssertSame(live, rebuilt);
        Assert.Equal((SagaStatus.Cancelled, PaymentState.Failed, declined, StockState.Released), (rebuilt.SagaStatus, rebuilt.PaymentStatus, rebuilt.PaymentReason, rebuilt.StockStatus));
    }

    [Fact]
    public void Rebuild_OutOfStock_EqualsTheLiveEventsAndCountsNoUnits()
    {
        var rejected = Live("inventory", "StockRejected", new
        {
            eventId = $"{OrderId}:2", orderId = OrderId, version = 2, reason = "insufficient stock",
            shortages = new[] { new { sku = "SKU-1", requested = 2, available = 1 } }, occurredAt = T0.AddSeconds(1),
        });
        var live = ApplyAll([Placed(), rejected, OrderEnd("OrderCancelled", T0.AddSeconds(2), "out of stock")]);

        var rebuilt = Rebuilt(Order("Cancelled", T0.AddSeconds(2), "out of stock"), null, new ReservationCopy(OrderId, "Rejected", 2, Lines, T0.AddSeconds(1)));

        AssertSame(live, rebuilt);
        Assert.Equal("stock rejected: 0 unit(s) (insufficient stock)", rebuilt.Timeline.Single(t => t.Source == "inventory").Detail);
    }

    [Fact]
    public void FactsOf_RefundedPayment_RestoresTheSucceededEventBeforeTheRefund()
    {
        var live = ApplyAll([Payment("PaymentSucceeded", 2, T0.AddSeconds(1)), Payment("PaymentRefunded", 3, T0.AddSeconds(9), "customer cancelled")]);

        var rebuilt = ApplyAll(SourceFacts.FactsOf(new PaymentCopy(
            OrderId, PaymentId, Customer, 14.50m, "EUR", "Refunded", 3, T0.AddSeconds(9), RefundReason: "customer cancelled", SucceededAt: T0.AddSeconds(1))));

        AssertSame(live, rebuilt);
        Assert.Equal(["PaymentSucceeded", "PaymentRefunded"], rebuilt.Timeline.Select(t => t.EventType));
    }

    [Fact]
    public void FactsOf_RecordsWithoutTheEarlierTimestamp_RestoreTheStatusButNotTheSupersededEvent()
    {
        var payment = SourceFacts.FactsOf(new PaymentCopy(OrderId, PaymentId, Customer, 14.50m, "EUR", "Refunded", 3, T0, RefundReason: "r")).ToList();
        var stock = SourceFacts.FactsOf(new ReservationCopy(OrderId, "Committed", 3, Lines, T0)).ToList();

        Assert.Equal(("PaymentRefunded", 3L), (Assert.Single(payment).EventType, payment[0].Version));
        Assert.Equal(("StockCommitted", 3L), (Assert.Single(stock).EventType, stock[0].Version));
    }

    [Theory]
    [InlineData("Pending")]
    [InlineData("SomethingNew")]
    public void FactsOf_PendingOrUnknownStatus_YieldsNothing(string status)
    {
        Assert.Empty(SourceFacts.FactsOf(new PaymentCopy(OrderId, PaymentId, Customer, 1m, "EUR", status, 1, T0)));
        Assert.Empty(SourceFacts.FactsOf(new ReservationCopy(OrderId, status, 1, Lines, T0)));
    }

    [Fact]
    public void FactsOf_ReleaseTombstone_IsOneReleaseOfNoUnits()
    {
        var fact = Assert.IsType<StockFact>(Assert.Single(SourceFacts.FactsOf(new ReservationCopy(OrderId, "Released", 1, [], T0, "released before it was reserved"))));

        Assert.Equal((StockState.Released, 1L, 0, $"{OrderId}:1"), (fact.Status, fact.Version, fact.Units, fact.EventId));
    }

    [Fact]
    public void FactsOf_OrderConfirmedThenCancelled_RestoresBothOrderEvents()
    {
        var order = new OrderCopy(OrderId, Customer, "Cancelled", "Orchestration", [new OrderLineCopy("SKU-1", "Mug", 2, 5.25m)], "EUR", 10.50m, 3,
            T0, T0, T0.AddSeconds(1), T0.AddSeconds(5), "customer cancelled");

        Assert.Equal([("OrderPlaced", 1L), ("OrderConfirmed", 2L), ("OrderCancelled", 3L)], Rebuilder.FactsOf(order).Select(f => (f.EventType, f.Version)));
    }

    [Fact]
    public void Rebuild_CustomerCancellationAfterConfirmation_EqualsTheLiveEvents()
    {
        const string reason = "changed my mind";
        OrderFact OrderEvent(string type, long version, DateTimeOffset at) => Live("orders", type, new
        {
            eventId = $"{OrderId}:{version}", orderId = OrderId, customerId = Customer, version, sagaMode = "Orchestration", reason,
            currency = "EUR", total = 14.50m, occurredAt = at,
        });
        var live = ApplyAll([
            Placed(), Stock("StockReserved", 2, T0.AddSeconds(1)), Payment("PaymentSucceeded", 2, T0.AddSeconds(2)),
            OrderEnd("OrderConfirmed", T0.AddSeconds(3)), Stock("StockCommitted", 3, T0.AddSeconds(4)),
            OrderEvent("OrderCancellationRequested", 3, T0.AddSeconds(10)), Payment("PaymentRefunded", 3, T0.AddSeconds(11), reason),
            Stock("StockReturned", 4, T0.AddSeconds(12)), OrderEvent("OrderCancelled", 5, T0.AddSeconds(13)),
        ]);

        var rebuilt = Rebuilt(
            new OrderCopy(OrderId, Customer, "Cancelled", "Orchestration", [new OrderLineCopy("SKU-1", "Mug", 2, 5.25m), new OrderLineCopy("SKU-2", "Cup", 1, 4m)], "EUR", 14.50m, 5,
                T0.AddMilliseconds(-5), T0, T0.AddSeconds(3), T0.AddSeconds(13), reason, CancellationRequestedAt: T0.AddSeconds(10)),
            new PaymentCopy(OrderId, PaymentId, Customer, 14.50m, "EUR", "Refunded", 3, T0.AddSeconds(11), RefundReason: reason, SucceededAt: T0.AddSeconds(2)),
            new ReservationCopy(OrderId, "Returned", 4, Lines, T0.AddSeconds(12), ReservedAt: T0.AddSeconds(1), CommittedAt: T0.AddSeconds(4)));

        AssertSame(live, rebuilt);
        Assert.Equal((SagaStatus.Cancelled, PaymentState.Refunded, StockState.Returned, 9), (rebuilt.SagaStatus, rebuilt.PaymentStatus, rebuilt.StockStatus, rebuilt.Timeline.Count));
    }

    [Fact]
    public void FactsOf_TimedOutThenRefundedPayment_MatchesTheLiveEvents()
    {
        // Choreographed charge: PaymentFailed (timeout) at v2, the gateway approves late, PaymentRefunded at v3.
        var live = ApplyAll([Payment("PaymentFailed", 2, T0.AddSeconds(30), "payment timed out"), Payment("PaymentRefunded", 3, T0.AddSeconds(40), "late charge refunded")]);

        var rebuilt = ApplyAll(SourceFacts.FactsOf(new PaymentCopy(
            OrderId, PaymentId, Customer, 14.50m, "EUR", "Refunded", 3, T0.AddSeconds(40), FailureReason: "payment timed out", RefundReason: "late charge refunded",
            TimedOutAt: T0.AddSeconds(30))));

        AssertSame(live, rebuilt);
        Assert.Equal(["PaymentFailed", "PaymentRefunded"], rebuilt.Timeline.Select(t => t.EventType));
        Assert.Equal((PaymentState.Refunded, 3L), (rebuilt.PaymentStatus, rebuilt.PaymentVersion));
    }

    [Fact]
    public void FactsOf_TimedOutPayment_MatchesThePaymentFailedItPublished()
    {
        var live = ApplyAll([Payment("PaymentFailed", 2, T0.AddSeconds(30), "payment timed out")]);

        var rebuilt = ApplyAll(SourceFacts.FactsOf(new PaymentCopy(
            OrderId, PaymentId, Customer, 14.50m, "EUR", "TimedOut", 2, T0.AddSeconds(30), FailureReason: "payment timed out", TimedOutAt: T0.AddSeconds(30))));

        AssertSame(live, rebuilt);
        Assert.Equal(PaymentState.Failed, rebuilt.PaymentStatus);
    }

    [Fact]
    public void FactsOf_TimedOutThenDeclinedLate_OnlyThePaymentFailedOfTheTimeout()
    {
        // The late decline is recorded (v3) without an event: the live side saw only PaymentFailed v2.
        var live = ApplyAll([Payment("PaymentFailed", 2, T0.AddSeconds(30), "payment timed out")]);

        var rebuilt = ApplyAll(SourceFacts.FactsOf(new PaymentCopy(
            OrderId, PaymentId, Customer, 14.50m, "EUR", "Failed", 3, T0.AddSeconds(40), FailureReason: "payment timed out", TimedOutAt: T0.AddSeconds(30))));

        AssertSame(live, rebuilt);
        Assert.Equal(["PaymentFailed"], rebuilt.Timeline.Select(t => t.EventType));
    }

    [Fact]
    public void Apply_PaymentRefundedAfterPaymentFailed_RefundedInAnyOrder()
    {
        var failed = Payment("PaymentFailed", 2, T0.AddSeconds(30), "payment timed out");
        var refunded = Payment("PaymentRefunded", 3, T0.AddSeconds(40), "late charge refunded");

        var inOrder = ApplyAll([failed, refunded]);
        var reordered = ApplyAll([refunded, failed]);

        Assert.Equal((PaymentState.Refunded, "late charge refunded", 3L), (inOrder.PaymentStatus, inOrder.PaymentReason, inOrder.PaymentVersion));
        AssertSame(inOrder, reordered);
    }
}

