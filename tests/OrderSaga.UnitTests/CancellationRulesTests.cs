using OrderSaga.Domain;

namespace OrderSaga.UnitTests;

public sealed class CancellationRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 2, 3, 4, 5, 6, TimeSpan.Zero);

    [Fact]
    public void CancellationInstanceId_OrderId_OwnInstanceBesideTheFulfilment()
    {
        var id = SagaRules.CancellationInstanceId("3f2b8c1e-0d4a-4f6b-9a51-2c7e8d9f0a1b");

        Assert.Equal("3f2b8c1e-0d4a-4f6b-9a51-2c7e8d9f0a1b-cancel", id);
        Assert.Matches(Sagas.SagaPatterns.Id, id);
    }

    [Fact]
    public void CancellationCompensations_Always_RefundThenReturnThenRevoke() =>
        Assert.Equal([SagaStep.RefundPayment, SagaStep.ReturnStock, SagaStep.RevokeCredit], SagaRules.CancellationCompensations);

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(3, false)]
    public void MayCompleteCancellation_FailedCompensations_OnlyWhenNoneFailed(int failed, bool expected) =>
        Assert.Equal(expected, SagaRules.MayCompleteCancellation(failed));

    [Fact]
    public void Journal_CancellationAllSucceeded_Completed()
    {
        var journal = new SagaJournal();
        foreach (var step in SagaRules.CancellationCompensations.Append(SagaStep.CancelOrder))
        {
            journal.Begin(step, At);
            journal.Succeeded(step, At);
        }

        journal.Finish(At);

        Assert.Equal(SagaState.Completed, journal.State);
        Assert.Empty(journal.Errors);
    }

    [Fact]
    public void Journal_CancellationStepKeptFailing_NeedsRepairWithTheStep()
    {
        var journal = new SagaJournal();
        journal.Begin(SagaStep.RefundPayment, At);
        journal.Succeeded(SagaStep.RefundPayment, At);
        journal.Begin(SagaStep.ReturnStock, At);
        journal.Unrepaired(SagaStep.ReturnStock, At, "inventory answered 503");

        journal.Finish(At);

        Assert.Equal(SagaState.NeedsRepair, journal.State);
        Assert.Equal(["ReturnStock: inventory answered 503"], journal.Errors);
    }
}
