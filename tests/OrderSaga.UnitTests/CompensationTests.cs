using OrderSaga.Domain;

namespace OrderSaga.UnitTests;

public sealed class CompensationTests
{
    [Fact]
    public void Drain_PushedInStepOrder_RunsInReverse()
    {
        var owed = new OwedCompensations();
        owed.Push(SagaStep.CancelOrder);
        owed.Push(SagaStep.ReleaseStock);
        owed.Push(SagaStep.RefundPayment);

        var order = owed.Drain();

        Assert.Equal([SagaStep.RefundPayment, SagaStep.ReleaseStock, SagaStep.CancelOrder], order);
        Assert.Equal(0, owed.Count);
    }

    [Fact]
    public void Drain_AfterClear_OwesNothing()
    {
        var owed = new OwedCompensations();
        owed.Push(SagaStep.CancelOrder);
        owed.Push(SagaStep.ReleaseStock);

        owed.Clear();

        Assert.Empty(owed.Drain());
    }

    [Fact]
    public void Push_ForwardStep_IsRefused()
    {
        var owed = new OwedCompensations();

        Assert.Throws<ArgumentOutOfRangeException>(() => owed.Push(SagaStep.ChargePayment));
    }
}
