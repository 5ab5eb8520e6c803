using Orders.Domain;

namespace Orders.UnitTests;

public sealed class ChoreographyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static Order Placed(SagaMode mode = SagaMode.Choreography)
    {
        var command = new PlaceOrder("cust-1", [new RequestedLine("A", 2)], mode);
        var priced = new PricingResult.Priced([new OrderLine("A", "Apple", 2, 1.5m)], "EUR", 3m);
        return OrderDecisions.Place(OrderDecisions.Open("order-1", command, priced, Now), Now).Order;
    }

    [Fact]
    public void Decide_PaymentSucceededForPlacedChoreographedOrder_Confirms()
    {
        var decision = ChoreographyRules.Decide(Placed(), new SagaOutcome.PaymentSucceeded(), Now);

        var changed = Assert.IsType<TransitionResult.Changed>(Assert.IsType<ChoreographyDecision.Transition>(decision).Result);
        Assert.IsType<OrderChange.Confirmed>(changed.Change);
        Assert.Equal(OrderStatus.Confirmed, changed.Change.Order.Status);
    }

    [Fact]
    public void Decide_StockRejected_CancelsWithStockReason()
    {
        var decision = ChoreographyRules.Decide(Placed(), new SagaOutcome.StockRejected("insufficient stock"), Now);

        var changed = Assert.IsType<TransitionResult.Changed>(Assert.IsType<ChoreographyDecision.Transition>(decision).Result);
        Assert.Equal(OrderStatus.Cancelled, changed.Change.Order.Status);
        Assert.Equal("Stock rejected: insufficient stock", changed.Change.Order.CancellationReason);
    }

    [Fact]
    public void Decide_PaymentFailed_CancelsWithPaymentReason()
    {
        var decision = ChoreographyRules.Decide(Placed(), new SagaOutcome.PaymentFailed("card declined"), Now);

        var changed = Assert.IsType<TransitionResult.Changed>(Assert.IsType<ChoreographyDecision.Transition>(decision).Result);
        Assert.Equal("Payment failed: card declined", changed.Change.Order.CancellationReason);
    }

    [Fact]
    public void Decide_OrchestratedOrder_NotOursWhateverTheOutcome()
    {
        Assert.IsType<ChoreographyDecision.NotOurs>(ChoreographyRules.Decide(Placed(SagaMode.Orchestration), new SagaOutcome.PaymentSucceeded(), Now));
        Assert.IsType<ChoreographyDecision.NotOurs>(ChoreographyRules.Decide(Placed(SagaMode.Orchestration), new SagaOutcome.PaymentFailed("x"), Now));
        Assert.IsType<ChoreographyDecision.NotOurs>(ChoreographyRules.Decide(Placed(SagaMode.Orchestration), new SagaOutcome.StockRejected("x"), Now));
    }

    [Fact]
    public void Decide_UnknownOrUnplacedOrder_NotOurs()
    {
        Assert.IsType<ChoreographyDecision.NotOurs>(ChoreographyRules.Decide(null, new SagaOutcome.PaymentSucceeded(), Now));
        Assert.IsType<ChoreographyDecision.NotOurs>(ChoreographyRules.Decide(Placed() with { Status = OrderStatus.Pending }, new SagaOutcome.PaymentSucceeded(), Now));
    }

    [Fact]
    public void Decide_DuplicateOutcome_AlreadyDoneWithoutChange()
    {
        var confirmed = Placed() with { Status = OrderStatus.Confirmed, Version = 2 };
        var cancelled = Placed() with { Status = OrderStatus.Cancelled, Version = 2, CancellationReason = "Stock rejected" };

        Assert.IsType<TransitionResult.AlreadyDone>(Assert.IsType<ChoreographyDecision.Transition>(ChoreographyRules.Decide(confirmed, new SagaOutcome.PaymentSucceeded(), Now)).Result);
        Assert.IsType<TransitionResult.AlreadyDone>(Assert.IsType<ChoreographyDecision.Transition>(ChoreographyRules.Decide(cancelled, new SagaOutcome.PaymentFailed("late"), Now)).Result);
    }

    [Fact]
    public void Decide_OutcomeContradictingTheOrder_RefusedOrNeedsCompensation()
    {
        var confirmed = Placed() with { Status = OrderStatus.Confirmed, Version = 2 };
        var cancelled = Placed() with { Status = OrderStatus.Cancelled, Version = 2 };

        Assert.IsType<TransitionResult.Refused>(Assert.IsType<ChoreographyDecision.Transition>(ChoreographyRules.Decide(cancelled, new SagaOutcome.PaymentSucceeded(), Now)).Result);
        Assert.IsType<TransitionResult.NeedsCompensation>(Assert.IsType<ChoreographyDecision.Transition>(ChoreographyRules.Decide(confirmed, new SagaOutcome.StockRejected("x"), Now)).Result);
    }

    [Fact]
    public void CancellationReason_BlankReason_NamesTheParticipantOnly() =>
        Assert.Equal("Stock rejected", ChoreographyRules.CancellationReason(new SagaOutcome.StockRejected("  ")));

    [Fact]
    public void CancellationReason_VeryLongReason_CutToTheOrdersLimit() =>
        Assert.Equal(OrderDecisions.MaxReasonLength, ChoreographyRules.CancellationReason(new SagaOutcome.PaymentFailed(new string('x', 2000))).Length);
}
