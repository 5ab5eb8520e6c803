using OrderQuery.Domain;
using OrderQuery.Rebuild;

namespace OrderQuery.UnitTests;

public sealed class OrderProjectionTests
{
    private const string OrderId = "order-1";
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static OrderPlacedFact Placed() => new($"{OrderId}:1", OrderId, 1, T0, "cust-1", "Choreography",
        [new SummaryLine("SKU-1", "Blue mug", 2, 10.5m, 21m)], "EUR", 21m);

    private static OrderConfirmedFact Confirmed() => new($"{OrderId}:2", OrderId, 2, T0.AddSeconds(3), "cust-1");

    private static OrderCancelledFact Cancelled() => new($"{OrderId}:2", OrderId, 2, T0.AddSeconds(3), "cust-1", "payment declined");

    private static StockFact Stock(StockState status, long version, int second) => new($"{OrderId}:{version}", OrderId, version, T0.AddSeconds(second), status, 2, status == StockState.Rejected ? "insufficient stock" : null);

    private static PaymentFact Payment(PaymentState status, long version, int second) =>
        new($"pay-1:{version}", OrderId, version, T0.AddSeconds(second), status, "cust-1", "pay-1", 21m, "EUR", status == PaymentState.Succeeded ? null : "declined");

    private static OrderSummary ApplyAll(params OrderFact[] facts) => facts.Aggregate(OrderSummary.Empty(OrderId), OrderProjection.Apply);

    [Fact]
    public void Apply_PlacedAfterConfirmed_KeepsConfirmedAndFillsLines()
    {
        var summary = ApplyAll(Confirmed(), Placed());

        Assert.Equal(OrderState.Confirmed, summary.OrderStatus);
        Assert.Equal(2, summary.OrderVersion);
        Assert.Equal(SagaStatus.Confirmed, summary.SagaStatus);
        Assert.Equal("Blue mug", Assert.Single(summary.Lines).ProductName);
        Assert.Equal(21m, summary.Total);
        Assert.Equal(T0, summary.PlacedAt);
    }

    [Fact]
    public void Apply_AnyOrderOfTheSameEvents_YieldsTheSameSummary()
    {
        OrderFact[] facts = [Placed(), Stock(StockState.Reserved, 1, 1), Payment(PaymentState.Succeeded, 1, 2), Stock(StockState.Committed, 2, 3), Confirmed()];
        var expected = ApplyAll(facts);

        foreach (var permutation in new[] { facts.Reverse().ToArray(), [facts[2], facts[4], facts[0], facts[3], facts[1]], [facts[3], facts[1], facts[4], facts[2], facts[0]] })
        {
            var actual = ApplyAll(permutation);
            Assert.Equal(expected with { Lines = [], Timeline = [] }, actual with { Lines = [], Timeline = [] });
            Assert.Equal(expected.Lines, actual.Lines);
            Assert.Equal(expected.Timeline, actual.Timeline);
        }

        Assert.Equal(StockState.Committed, expected.StockStatus);
        Assert.Equal(SagaStatus.Confirmed, expected.SagaStatus);
    }

    [Fact]
    public void Apply_SameEventTwice_ChangesNothingTheSecondTime()
    {
        var once = ApplyAll(Placed(), Stock(StockState.Reserved, 1, 1));
        var twice = OrderProjection.Apply(once, Stock(StockState.Reserved, 1, 1));

        Assert.Equal(once with { Lines = [], Timeline = [] }, twice with { Lines = [], Timeline = [] });
        Assert.Equal(2, twice.Timeline.Count);
    }

    [Fact]
    public void Apply_OlderStockEventAfterNewer_DoesNotRegressStock()
    {
        var summary = ApplyAll(Placed(), Stock(StockState.Released, 2, 5), Stock(StockState.Reserved, 1, 1));

        Assert.Equal(StockState.Released, summary.StockStatus);
        Assert.Equal(2, summary.StockVersion);
        Assert.Equal(SagaStatus.Placed, summary.SagaStatus);
    }

    [Fact]
    public void Apply_RefundAfterSuccess_PaymentNoLongerCountsAsPaid()
    {
        var summary = ApplyAll(Placed(), Stock(StockState.Reserved, 1, 1), Payment(PaymentState.Succeeded, 1, 2), Payment(PaymentState.Refunded, 2, 4));

        Assert.Equal(PaymentState.Refunded, summary.PaymentStatus);
        Assert.Equal(SagaStatus.Reserved, summary.SagaStatus);
    }

    [Theory]
    [InlineData(SagaStatus.Placed)]
    [InlineData(SagaStatus.Reserved)]
    [InlineData(SagaStatus.Paid)]
    [InlineData(SagaStatus.Confirmed)]
    public void DeriveSagaStatus_HappyPathSteps_AdvanceInOrder(SagaStatus expected)
    {
        var steps = new List<OrderFact> { Placed() };
        if (expected >= SagaStatus.Reserved)
        {
            steps.Add(Stock(StockState.Reserved, 1, 1));
        }

        if (expected >= SagaStatus.Paid)
        {
            steps.Add(Payment(PaymentState.Succeeded, 1, 2));
        }

        if (expected >= SagaStatus.Confirmed)
        {
            steps.Add(Confirmed());
        }

        Assert.Equal(expected, ApplyAll([.. steps]).SagaStatus);
    }

    [Fact]
    public void DeriveSagaStatus_Cancelled_CarriesTheOrdersReason()
    {
        var summary = ApplyAll(Placed(), Stock(StockState.Rejected, 1, 1), Cancelled());

        Assert.Equal(SagaStatus.Cancelled, summary.SagaStatus);
        Assert.Equal("payment declined", summary.SagaReason);
        Assert.Equal("insufficient stock", summary.StockReason);
    }

    [Fact]
    public void DeriveSagaStatus_OnlyAPaymentSeen_IsPaidWithoutLines()
    {
        var summary = ApplyAll(Payment(PaymentState.Succeeded, 1, 2));

        Assert.Equal(SagaStatus.Paid, summary.SagaStatus);
        Assert.Null(summary.OrderStatus);
        Assert.Equal("cust-1", summary.CustomerId);
        Assert.Empty(summary.Lines);
    }

    [Fact]
    public void Timeline_EventsArrivingOutOfOrder_AreSortedByOccurrence()
    {
        var summary = ApplyAll(Confirmed(), Payment(PaymentState.Succeeded, 1, 2), Placed(), Stock(StockState.Reserved, 1, 1));

        Assert.Equal(["OrderPlaced", "StockReserved", "PaymentSucceeded", "OrderConfirmed"], summary.Timeline.Select(t => t.EventType));
    }

    [Fact]
    public void Timeline_SameEventIdFromTwoSources_KeepsBoth()
    {
        // Orders and inventory both number their events "<order id>:<version>".
        var summary = ApplyAll(Placed(), Stock(StockState.Reserved, 1, 1));

        Assert.Equal(2, summary.Timeline.Count(t => t.EventId == $"{OrderId}:1"));
        Assert.Equal(["orders", "inventory"], summary.Timeline.Select(t => t.Source));
    }

    [Fact]
    public void FactsOf_ConfirmedOrderFromTheOrdersApi_MatchesTheLiveEvents()
    {
        var order = new OrderCopy(OrderId, "cust-1", "Confirmed", "Choreography", [new OrderLineCopy("SKU-1", "Blue mug", 2, 10.5m)], "EUR", 21m, 2,
            T0, T0, T0.AddSeconds(3), null, null);

        var rebuilt = ApplyAll([.. Rebuilder.FactsOf(order)]);
        var live = ApplyAll(Placed(), Confirmed());

        Assert.Equal(live with { Lines = [], Timeline = [] }, rebuilt with { Lines = [], Timeline = [] });
        Assert.Equal(live.Lines, rebuilt.Lines);
        Assert.Equal(live.Timeline, rebuilt.Timeline);
    }

    [Fact]
    public void FactsOf_ReviewedOrderConfirmedThenCancelledByTheCustomer_MatchesTheLiveEvents()
    {
        // Choreographed review: placed v1, approved v2 (OrderReviewed), confirmed v3, cancellation requested v4, cancelled v5.
        var order = new OrderCopy(OrderId, "cust-1", "Cancelled", "Choreography", [new OrderLineCopy("SKU-1", "Blue mug", 2, 10.5m)], "EUR", 21m, 5,
            T0, T0, T0.AddSeconds(3), T0.AddSeconds(12), "changed my mind", T0.AddSeconds(10), new OrderReviewCopy("Approved", "alice", T0.AddSeconds(2)));

        var rebuilt = ApplyAll([.. Rebuilder.FactsOf(order)]);
        var live = ApplyAll(
            Placed(),
            new OrderReviewedFact($"{OrderId}:2", OrderId, 2, T0.AddSeconds(2), "cust-1", "alice"),
            new OrderConfirmedFact($"{OrderId}:3", OrderId, 3, T0.AddSeconds(3), "cust-1"),
            new OrderCancellationRequestedFact($"{OrderId}:4", OrderId, 4, T0.AddSeconds(10), "cust-1", "changed my mind"),
            new OrderCancelledFact($"{OrderId}:5", OrderId, 5, T0.AddSeconds(12), "cust-1", "changed my mind"));

        Assert.Equal(live with { Lines = [], Timeline = [] }, rebuilt with { Lines = [], Timeline = [] });
        Assert.Equal(live.Timeline, rebuilt.Timeline);
        Assert.Contains(rebuilt.Timeline, t => t.Detail == "review approved by alice");
    }

    [Fact]
    public void Apply_CustomerCancellation_CancellingThenCancelledInAnyOrder()
    {
        var requested = new OrderCancellationRequestedFact($"{OrderId}:3", OrderId, 3, T0.AddSeconds(10), "cust-1", "changed my mind");
        var cancelled = new OrderCancelledFact($"{OrderId}:4", OrderId, 4, T0.AddSeconds(12), "cust-1", "changed my mind");
        var returned = Stock(StockState.Returned, 4, 11);

        var running = ApplyAll(Placed(), Confirmed(), requested);
        var inOrder = ApplyAll(Placed(), Confirmed(), Stock(StockState.Committed, 3, 4), requested, returned, cancelled);
        var reordered = ApplyAll(cancelled, returned, Placed(), requested, Stock(StockState.Committed, 3, 4), Confirmed(), requested);

        Assert.Equal((OrderState.Cancelling, SagaStatus.Cancelling, "changed my mind"), (running.OrderStatus, running.SagaStatus, running.SagaReason));
        Assert.Equal((OrderState.Cancelled, SagaStatus.Cancelled, StockState.Returned, 4L), (inOrder.OrderStatus, inOrder.SagaStatus, inOrder.StockStatus, inOrder.OrderVersion));
        Assert.Equal(inOrder with { Lines = [], Timeline = [] }, reordered with { Lines = [], Timeline = [] });
        Assert.Equal(inOrder.Timeline, reordered.Timeline);
        Assert.Contains(inOrder.Timeline, t => t.EventType == "OrderCancellationRequested" && t.Detail == "cancellation requested: changed my mind");
    }
}

