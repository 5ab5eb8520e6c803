using System.Text.Json;
using Inventory.Contracts;
using Inventory.Domain;
using Inventory.Reservations;
using OrderQuery.Domain;
using OrderQuery.Projections;
using OrderQuery.Rebuild;
using Orders.Ordering;
using Payments.Charges;
using Payments.Domain;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>
/// The producers' own response records (payments, inventory, orders' customer page), serialized as their APIs do,
/// read through the rebuild's copies (DESIGN §4); and for inventory, whose event builder is public, the facts the
/// rebuild derives from a record equal the facts its live events give.
/// </summary>
public sealed class RebuildSourceContractTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Api = new(JsonSerializerDefaults.Web);

    private static T RoundTrip<T>(object producerRecord) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(producerRecord, producerRecord.GetType(), Api), Api)!;

    [Fact]
    public void PaymentResponse_ReadByTheRebuild_KeepsStatusVersionTimesAndReasons()
    {
        var response = new PaymentResponse("order-1", "pay-1", "cust-1", 21.50m, "EUR", PaymentStatus.Refunded, 3, At, At.AddSeconds(9), null, "customer cancelled", At.AddSeconds(2));

        var copy = RoundTrip<PaymentCopy>(response);

        Assert.Equal(new PaymentCopy("order-1", "pay-1", "cust-1", 21.50m, "EUR", "Refunded", 3, At.AddSeconds(9), null, "customer cancelled", At.AddSeconds(2)), copy);
    }

    [Fact]
    public void PaymentResponse_TimedOutThenRefunded_ReadByTheRebuild_KeepsTheTimeoutAndRestoresItsPaymentFailed()
    {
        var refunded = Payment.Start(new ChargeCommand("order-1", "cust-1", 21.50m, "EUR"), At)
            .TimeOut(At.AddSeconds(30))
            .SettleLate(new GatewayDecision.Approved(), "gw_late", At.AddSeconds(40));
        var response = new PaymentResponse(
            refunded.OrderId, refunded.PaymentId, refunded.CustomerId, refunded.Amount, refunded.Currency, refunded.Status, refunded.Version, refunded.CreatedAt,
            refunded.UpdatedAt, refunded.FailureReason, refunded.RefundReason, refunded.SucceededAt, refunded.TimedOutAt);

        var copy = RoundTrip<PaymentCopy>(response);

        Assert.Equal(("Refunded", 3L, At.AddSeconds(30), Payment.TimeoutReason), (copy.Status, copy.Version, copy.TimedOutAt, copy.FailureReason));
        Assert.Equal([("PaymentFailed", 2L), ("PaymentRefunded", 3L)], SourceFacts.FactsOf(copy).Select(f => (f.EventType, f.Version)));
    }

    [Fact]
    public void ReservationResponse_ReadByTheRebuild_KeepsStatusVersionLinesAndTimes()
    {
        var response = new ReservationResponse("order-1", ReservationStatus.Committed, 3, [new ReservationLineResponse("SKU-1", 2)], [], null, At, At.AddSeconds(5), false, At.AddSeconds(1));

        var copy = RoundTrip<ReservationCopy>(response);

        Assert.Equal(("order-1", "Committed", 3L, At.AddSeconds(5), At.AddSeconds(1)), (copy.OrderId, copy.Status, copy.Version, copy.UpdatedAt, copy.ReservedAt));
        Assert.Equal([new ReservationLineCopy("SKU-1", 2)], copy.Lines);
    }

    [Fact]
    public void OrderResponse_ReviewedOrder_ReadByTheRebuild_KeepsTheApproval()
    {
        var response = new OrderResponse(
            "order-1", "cust-1", Orders.Domain.OrderStatus.Confirmed, Orders.Domain.SagaMode.Choreography, [new OrderLineResponse("SKU-1", "Blue mug", 2, 10.5m, 21m)],
            "EUR", 21m, 3, At, At, At.AddSeconds(3), null, null, null,
            new OrderReviewResponse(Orders.Domain.ReviewStatus.Approved, At.AddHours(1), "alice", null, At.AddSeconds(2)));

        var copy = RoundTrip<OrderCopy>(response);

        Assert.Equal(new OrderReviewCopy("Approved", "alice", At.AddSeconds(2)), copy.Review);
        Assert.Equal(["OrderPlacedFact", "OrderReviewedFact", "OrderConfirmedFact"], Rebuilder.FactsOf(copy).Select(f => f.GetType().Name));
    }

    [Fact]
    public void CustomerPage_ReadByTheRebuild_KeepsItemsAndToken()
    {
        var copy = RoundTrip<CustomerPageCopy>(new CustomerPage(["cust-1", "cust-2"], "token"));

        Assert.Equal(["cust-1", "cust-2"], copy.Items);
        Assert.Equal("token", copy.ContinuationToken);
    }

    [Theory]
    [InlineData("commit")]
    [InlineData("release")]
    [InlineData("reject")]
    public void ReservationThroughItsRealTransitions_RebuiltFacts_EqualTheLiveEventsFacts(string end)
    {
        var pending = Reservation.Start("order-1", [new ReservationLine("SKU-1", 2), new ReservationLine("SKU-2", 1)], At);
        var history = new List<Reservation>();
        Reservation current;
        if (end == "reject")
        {
            current = pending.Reject([new Shortage("SKU-1", 2, 1)], Reservation.InsufficientStockReason, At.AddSeconds(1));
            history.Add(current);
        }
        else
        {
            var reserved = pending.Reserve(At.AddSeconds(1));
            history.Add(reserved);
            current = end == "commit" ? reserved.Published().Commit(At.AddSeconds(4)) : reserved.Published().Release(At.AddSeconds(4));
            history.Add(current);
        }

        var live = history.Select(r => InventoryEvents.For(r))
            .Select(e => IncomingEvents.Parse("inventory", e.Type, JsonSerializer.SerializeToElement(e.Payload, e.Payload.GetType(), Api)))
            .Select(p => Assert.IsType<ParsedEvent.ForOrder>(p).Fact)
            .Aggregate(OrderSummary.Empty("order-1"), OrderProjection.Apply);
        var response = new ReservationResponse(current.OrderId, current.Status, current.Version, [.. current.Lines.Select(l => new ReservationLineResponse(l.Sku, l.Quantity))],
            [], current.Reason, current.CreatedAt, current.UpdatedAt, false, current.ReservedAt);
        var rebuilt = SourceFacts.FactsOf(RoundTrip<ReservationCopy>(response)).Aggregate(OrderSummary.Empty("order-1"), OrderProjection.Apply);

        Assert.Equal(live with { Timeline = [] }, rebuilt with { Timeline = [] });
        Assert.Equal(live.Timeline, rebuilt.Timeline);
    }
}
