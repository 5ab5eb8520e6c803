using Orders.Domain;

namespace Orders.UnitTests;

public sealed class ReviewRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly ReviewPolicy Policy = new(ReviewAbove: 100m, Timeout: TimeSpan.FromMinutes(30));

    private static Order Placed(decimal total = 150m, SagaMode mode = SagaMode.Choreography)
    {
        var command = new PlaceOrder("cust-1", [new RequestedLine("A", 1)], mode);
        var priced = new PricingResult.Priced([new OrderLine("A", "Apple", 1, total)], "EUR", total);
        return OrderDecisions.Place(OrderDecisions.Open("order-1", command, priced, Now), Now, Policy).Order;
    }

    private static Order Decided(bool approved) =>
        Assert.IsType<TransitionResult.Changed>(ReviewRules.Decide(Placed(), new ReviewVerdict(approved, "alice", "checked"), Now)).Change.Order;

    [Fact]
    public void Place_ChoreographedOrderAboveThreshold_AwaitsReviewUntilTheDeadline()
    {
        var order = Placed();

        Assert.Equal(OrderReview.Awaiting(Now + TimeSpan.FromMinutes(30)), order.Review);
        Assert.Equal(OrderStatus.Placed, order.Status);
    }

    [Theory]
    [InlineData(100, SagaMode.Choreography)]
    [InlineData(150, SagaMode.Orchestration)]
    public void Place_AtThresholdOrOrchestrated_NeedsNoReview(decimal total, SagaMode mode) =>
        Assert.Null(Placed(total, mode).Review);

    [Fact]
    public void Place_NoThreshold_NeedsNoReview()
    {
        var command = new PlaceOrder("cust-1", [new RequestedLine("A", 1)], SagaMode.Choreography);
        var priced = new PricingResult.Priced([new OrderLine("A", "Apple", 1, 1_000_000m)], "EUR", 1_000_000m);

        var order = OrderDecisions.Place(OrderDecisions.Open("order-1", command, priced, Now), Now, new ReviewPolicy(null, TimeSpan.FromDays(1))).Order;

        Assert.Null(order.Review);
    }

    [Fact]
    public void Decide_Approved_KeepsOrderPlacedAndPublishesTheApproval()
    {
        var result = ReviewRules.Decide(Placed(), new ReviewVerdict(true, "alice", null), Now);

        var change = Assert.IsType<OrderChange.ReviewApproved>(Assert.IsType<TransitionResult.Changed>(result).Change);
        Assert.Equal(OrderStatus.Placed, change.Order.Status);
        Assert.Equal(2, change.Order.Version);
        Assert.Equal(new OrderReview(ReviewStatus.Approved, Now + TimeSpan.FromMinutes(30), "alice", null, Now), change.Order.Review);
    }

    [Fact]
    public void Decide_Rejected_CancelsWithTheReviewReason()
    {
        var result = ReviewRules.Decide(Placed(), new ReviewVerdict(false, "bob", "looks fraudulent"), Now);

        var change = Assert.IsType<OrderChange.Cancelled>(Assert.IsType<TransitionResult.Changed>(result).Change);
        Assert.Equal(OrderStatus.Cancelled, change.Order.Status);
        Assert.Equal("rejected in review: looks fraudulent", change.Order.CancellationReason);
        Assert.Equal(ReviewStatus.Rejected, change.Order.Review!.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_SameDecisionAgain_AlreadyDone(bool approved) =>
        Assert.IsType<TransitionResult.AlreadyDone>(ReviewRules.Decide(Decided(approved), new ReviewVerdict(approved, "carol", null), Now));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_OtherDecisionAfterwards_Refused(bool approved) =>
        Assert.IsType<TransitionResult.Refused>(ReviewRules.Decide(Decided(approved), new ReviewVerdict(!approved, "carol", null), Now));

    [Fact]
    public void Decide_OrchestratedOrder_RefusedAsWrongMode()
    {
        var refused = Assert.IsType<TransitionResult.Refused>(ReviewRules.Decide(Placed(mode: SagaMode.Orchestration), new ReviewVerdict(true, "alice", null), Now));
        Assert.Contains("order-saga", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_OrderWithoutReview_Refused() =>
        Assert.IsType<TransitionResult.Refused>(ReviewRules.Decide(Placed(total: 50m), new ReviewVerdict(true, "alice", null), Now));

    [Fact]
    public void Decide_OrderCancelledMeanwhile_Refused()
    {
        var cancelled = Assert.IsType<TransitionResult.Changed>(OrderDecisions.Cancel(Placed(), "Stock rejected: insufficient stock", Now)).Change.Order;

        Assert.IsType<TransitionResult.Refused>(ReviewRules.Decide(cancelled, new ReviewVerdict(true, "alice", null), Now));
    }

    [Fact]
    public void Expire_AwaitingReview_CancelsAsExpired()
    {
        var change = Assert.IsType<OrderChange.Cancelled>(Assert.IsType<TransitionResult.Changed>(ReviewRules.Expire(Placed(), Now)).Change);

        Assert.Equal("review expired", change.Order.CancellationReason);
        Assert.Equal(ReviewStatus.Expired, change.Order.Review!.Status);
    }

    [Fact]
    public void Expire_FiredTwice_SecondChangesNothing()
    {
        var expired = Assert.IsType<TransitionResult.Changed>(ReviewRules.Expire(Placed(), Now)).Change.Order;

        Assert.IsType<TransitionResult.AlreadyDone>(ReviewRules.Expire(expired, Now));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Expire_AfterTheDecision_ChangesNothing(bool approved) =>
        Assert.IsType<TransitionResult.AlreadyDone>(ReviewRules.Expire(Decided(approved), Now));

    [Fact]
    public void Expire_OrderWithoutReview_ChangesNothing() =>
        Assert.IsType<TransitionResult.AlreadyDone>(ReviewRules.Expire(Placed(total: 50m), Now));
}
