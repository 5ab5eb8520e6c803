using Orders.Contracts;
using Orders.Domain;

namespace Orders.UnitTests;

public sealed class CustomerCancellationTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Now.AddMinutes(5);

    private static Order Placed(SagaMode mode = SagaMode.Choreography)
    {
        var command = new PlaceOrder("cust-1", [new RequestedLine("A", 2)], mode);
        var priced = new PricingResult.Priced([new OrderLine("A", "Apple", 2, 1.5m)], "EUR", 3m);
        return OrderDecisions.Place(OrderDecisions.Open("order-1", command, priced, Now), Now).Order;
    }

    private static Order Confirmed(SagaMode mode = SagaMode.Choreography) =>
        ((TransitionResult.Changed)OrderDecisions.Confirm(Placed(mode), Now)).Change.Order;

    private static Order Cancelling(SagaMode mode = SagaMode.Choreography) =>
        ((TransitionResult.Changed)OrderDecisions.RequestCancellation(Confirmed(mode), "changed my mind", Now)).Change.Order;

    [Fact]
    public void RequestCancellation_Confirmed_CancellingWithReasonAndEvent()
    {
        var result = OrderDecisions.RequestCancellation(Confirmed(), "changed my mind", Later);

        var change = Assert.IsType<OrderChange.CancellationRequested>(Assert.IsType<TransitionResult.Changed>(result).Change);
        Assert.Equal(OrderStatus.Cancelling, change.Order.Status);
        Assert.Equal(3, change.Order.Version);
        Assert.Equal("changed my mind", change.Order.CancellationReason);
        Assert.Equal(Later, change.Order.CancellationRequestedAt);
        Assert.Null(change.Order.CancelledAt);
        Assert.Empty(change.Order.ReportedCompensations!);
        Assert.Equal("order-1:3", change.EventId);
    }

    [Fact]
    public void RequestCancellation_Event_CarriesModeCustomerAndReason()
    {
        var change = ((TransitionResult.Changed)OrderDecisions.RequestCancellation(Confirmed(SagaMode.Orchestration), "too late", Later)).Change;

        var (type, payload) = change.ToEvent();

        Assert.Equal("OrderCancellationRequested", type);
        Assert.Equal(new OrderCancellationRequested("order-1:3", "order-1", "cust-1", 3, SagaMode.Orchestration, "too late", "EUR", 3m, Later), payload);
    }

    [Fact]
    public void RequestCancellation_AlreadyCancelling_AnsweredAgainNothingWritten()
    {
        var cancelling = Cancelling();

        var result = OrderDecisions.RequestCancellation(cancelling, "another reason", Later);

        Assert.Equal(cancelling, Assert.IsType<TransitionResult.AlreadyDone>(result).Order);
    }

    [Fact]
    public void RequestCancellation_Cancelled_AnsweredAgain()
    {
        var cancelled = ((TransitionResult.Changed)OrderDecisions.Cancel(Placed(), "out of stock", Now)).Change.Order;

        Assert.Equal(cancelled, Assert.IsType<TransitionResult.AlreadyDone>(OrderDecisions.RequestCancellation(cancelled, "x", Later)).Order);
    }

    [Fact]
    public void RequestCancellation_PlacedStillInItsSaga_Refused()
    {
        var result = OrderDecisions.RequestCancellation(Placed(), "x", Later);

        Assert.Contains("still being fulfilled", Assert.IsType<TransitionResult.Refused>(result).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancel_Cancelling_CompletesKeepingTheCustomersReason()
    {
        var result = OrderDecisions.Cancel(Cancelling(), "order saga compensation", Later);

        var change = Assert.IsType<OrderChange.Cancelled>(Assert.IsType<TransitionResult.Changed>(result).Change);
        Assert.Equal(OrderStatus.Cancelled, change.Order.Status);
        Assert.Equal(4, change.Order.Version);
        Assert.Equal("changed my mind", change.Order.CancellationReason);
        Assert.Equal(Later, change.Order.CancelledAt);
    }

    [Fact]
    public void Cancel_Confirmed_StillNeedsTheCompensationFlow() =>
        Assert.IsType<TransitionResult.NeedsCompensation>(OrderDecisions.Cancel(Confirmed(), "x", Later));

    [Fact]
    public void Confirm_Cancelling_Refused() =>
        Assert.IsType<TransitionResult.Refused>(OrderDecisions.Confirm(Cancelling(), Later));

    [Fact]
    public void ReportCompensation_FirstOfTwo_NotedWithoutNewVersion()
    {
        var cancelling = Cancelling();

        var result = OrderDecisions.ReportCompensation(cancelling, CancellationCompensation.Restock, Later);

        var noted = Assert.IsType<TransitionResult.Noted>(result).Order;
        Assert.Equal(OrderStatus.Cancelling, noted.Status);
        Assert.Equal(cancelling.Version, noted.Version);
        Assert.Equal([CancellationCompensation.Restock], noted.ReportedCompensations);
    }

    [Theory]
    [InlineData(CancellationCompensation.Refund, CancellationCompensation.Restock)]
    [InlineData(CancellationCompensation.Restock, CancellationCompensation.Refund)]
    public void ReportCompensation_BothInAnyOrder_Cancelled(CancellationCompensation first, CancellationCompensation second)
    {
        var noted = Assert.IsType<TransitionResult.Noted>(OrderDecisions.ReportCompensation(Cancelling(), first, Now)).Order;

        var result = OrderDecisions.ReportCompensation(noted, second, Later);

        var change = Assert.IsType<OrderChange.Cancelled>(Assert.IsType<TransitionResult.Changed>(result).Change);
        Assert.Equal(OrderStatus.Cancelled, change.Order.Status);
        Assert.Equal(Later, change.Order.CancelledAt);
        Assert.Equal("changed my mind", change.Order.CancellationReason);
    }

    [Fact]
    public void ReportCompensation_SameReportTwice_AnsweredAgain()
    {
        var noted = Assert.IsType<TransitionResult.Noted>(OrderDecisions.ReportCompensation(Cancelling(), CancellationCompensation.Refund, Now)).Order;

        Assert.Equal(noted, Assert.IsType<TransitionResult.AlreadyDone>(OrderDecisions.ReportCompensation(noted, CancellationCompensation.Refund, Later)).Order);
    }

    [Fact]
    public void ReportCompensation_AfterCancelled_AnsweredAgain()
    {
        var noted = ((TransitionResult.Noted)OrderDecisions.ReportCompensation(Cancelling(), CancellationCompensation.Refund, Now)).Order;
        var cancelled = ((TransitionResult.Changed)OrderDecisions.ReportCompensation(noted, CancellationCompensation.Restock, Now)).Change.Order;

        Assert.IsType<TransitionResult.AlreadyDone>(OrderDecisions.ReportCompensation(cancelled, CancellationCompensation.Restock, Later));
    }

    [Fact]
    public void ReportCompensation_OrderNotBeingCancelled_Refused() =>
        Assert.IsType<TransitionResult.Refused>(OrderDecisions.ReportCompensation(Confirmed(), CancellationCompensation.Refund, Later));

    [Fact]
    public void Decide_RefundOfCancellingChoreographedOrder_Noted()
    {
        var decision = ChoreographyRules.Decide(Cancelling(), new SagaOutcome.CompensationDone(CancellationCompensation.Refund), Later);

        Assert.IsType<TransitionResult.Noted>(Assert.IsType<ChoreographyDecision.Transition>(decision).Result);
    }

    [Fact]
    public void Decide_RefundOfConfirmedOrder_NotOursNotDeadLettered() =>
        Assert.IsType<ChoreographyDecision.NotOurs>(
            ChoreographyRules.Decide(Confirmed(), new SagaOutcome.CompensationDone(CancellationCompensation.Refund), Later));

    [Fact]
    public void Decide_ReturnOfCancellingOrchestratedOrder_NotOurs() =>
        Assert.IsType<ChoreographyDecision.NotOurs>(
            ChoreographyRules.Decide(Cancelling(SagaMode.Orchestration), new SagaOutcome.CompensationDone(CancellationCompensation.Restock), Later));

    [Fact]
    public void Decide_PaymentFailedWhileCancelling_RefusedNeverCompletesTheCancellation()
    {
        var decision = ChoreographyRules.Decide(Cancelling(), new SagaOutcome.PaymentFailed("declined"), Later);

        Assert.IsType<TransitionResult.Refused>(Assert.IsType<ChoreographyDecision.Transition>(decision).Result);
    }
}
