using Orders.Domain;

namespace Orders.UnitTests;

public sealed class OrderTransitionTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static Order Pending()
    {
        var command = new PlaceOrder("cust-1", [new RequestedLine("A", 2)], SagaMode.Choreography);
        var priced = new PricingResult.Priced([new OrderLine("A", "Apple", 2, 1.5m)], "EUR", 3m);
        return OrderDecisions.Open("order-1", command, priced, Now);
    }

    private static Order Placed() => OrderDecisions.Place(Pending(), Now).Order;

    [Fact]
    public void Open_Always_PendingVersion0CarryingFingerprint()
    {
        var order = Pending();

        Assert.Equal(OrderStatus.Pending, order.Status);
        Assert.Equal(0, order.Version);
        Assert.False(order.IsPlaced);
        Assert.Equal(new PlaceOrder("cust-1", [new RequestedLine("A", 2)], SagaMode.Choreography).Fingerprint(), order.RequestFingerprint);
    }

    [Fact]
    public void Place_Pending_PlacedVersion1WithEventId()
    {
        var change = OrderDecisions.Place(Pending(), Now);

        Assert.Equal(OrderStatus.Placed, change.Order.Status);
        Assert.Equal(1, change.Order.Version);
        Assert.Equal(Now, change.Order.PlacedAt);
        Assert.Equal("order-1:1", change.EventId);
    }

    [Fact]
    public void Place_AlreadyPlaced_Throws() => Assert.Throws<InvalidOperationException>(() => OrderDecisions.Place(Placed(), Now));

    [Fact]
    public void Confirm_Placed_ConfirmedVersion2()
    {
        var changed = Assert.IsType<TransitionResult.Changed>(OrderDecisions.Confirm(Placed(), Now));

        Assert.IsType<OrderChange.Confirmed>(changed.Change);
        Assert.Equal(OrderStatus.Confirmed, changed.Change.Order.Status);
        Assert.Equal(2, changed.Change.Order.Version);
        Assert.Equal("order-1:2", changed.Change.EventId);
    }

    [Fact]
    public void Confirm_Confirmed_AlreadyDoneNoChange()
    {
        var confirmed = ((TransitionResult.Changed)OrderDecisions.Confirm(Placed(), Now)).Change.Order;

        Assert.Equal(new TransitionResult.AlreadyDone(confirmed), OrderDecisions.Confirm(confirmed, Now.AddMinutes(1)));
    }

    [Fact]
    public void Confirm_Cancelled_Refused()
    {
        var cancelled = ((TransitionResult.Changed)OrderDecisions.Cancel(Placed(), "no stock", Now)).Change.Order;

        Assert.IsType<TransitionResult.Refused>(OrderDecisions.Confirm(cancelled, Now));
    }

    [Fact]
    public void Cancel_Placed_CancelledWithReason()
    {
        var changed = Assert.IsType<TransitionResult.Changed>(OrderDecisions.Cancel(Placed(), "no stock", Now));

        Assert.IsType<OrderChange.Cancelled>(changed.Change);
        Assert.Equal("no stock", changed.Change.Order.CancellationReason);
        Assert.Equal(2, changed.Change.Order.Version);
    }

    [Fact]
    public void Cancel_Cancelled_AlreadyDoneKeepsFirstReason()
    {
        var cancelled = ((TransitionResult.Changed)OrderDecisions.Cancel(Placed(), "no stock", Now)).Change.Order;

        var again = Assert.IsType<TransitionResult.AlreadyDone>(OrderDecisions.Cancel(cancelled, "other", Now));

        Assert.Equal("no stock", again.Order.CancellationReason);
    }

    [Fact]
    public void Cancel_Confirmed_NeedsCompensation()
    {
        var confirmed = ((TransitionResult.Changed)OrderDecisions.Confirm(Placed(), Now)).Change.Order;

        Assert.IsType<TransitionResult.NeedsCompensation>(OrderDecisions.Cancel(confirmed, "changed my mind", Now));
    }

    [Fact]
    public void ConfirmOrCancel_Pending_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => OrderDecisions.Confirm(Pending(), Now));
        Assert.Throws<InvalidOperationException>(() => OrderDecisions.Cancel(Pending(), "x", Now));
    }

    [Fact]
    public void WriteLease_BeforeAndAfterUntil_HeldThenExpired()
    {
        var lease = new WriteLease(Guid.NewGuid(), Now);

        Assert.True(lease.IsHeldAt(Now.AddTicks(-1)));
        Assert.False(lease.IsHeldAt(Now));
    }
}
