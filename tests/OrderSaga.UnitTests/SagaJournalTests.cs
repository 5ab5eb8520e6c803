using OrderSaga.Domain;

namespace OrderSaga.UnitTests;

public sealed class SagaJournalTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Finish_EveryStepSucceeded_IsCompleted()
    {
        var journal = new SagaJournal();
        journal.Begin(SagaStep.ReserveStock, At);
        journal.Succeeded(SagaStep.ReserveStock, At);

        journal.Finish(At);

        var progress = journal.Snapshot();
        Assert.Equal(SagaState.Completed, progress.State);
        Assert.Equal(SagaStep.Finished, progress.Step);
        Assert.Null(progress.Reason);
    }

    [Fact]
    public void Finish_FailedThenCompensated_IsCompensatedWithFirstReason()
    {
        var journal = new SagaJournal();
        journal.Failed(SagaStep.ChargePayment, At, "payment declined: card");
        journal.Failed(SagaStep.ChargePayment, At, "a later reason");
        journal.Succeeded(SagaStep.RefundPayment, At);

        journal.Finish(At);

        Assert.Equal(SagaState.Compensated, journal.State);
        Assert.Equal("payment declined: card", journal.Reason);
    }

    [Fact]
    public void Finish_CompensationKeptFailing_NeedsRepairWithTheError()
    {
        var journal = new SagaJournal();
        journal.Failed(SagaStep.ReserveStock, At, "out of stock");
        journal.Unrepaired(SagaStep.ReleaseStock, At, "inventory answered 503");

        journal.Finish(At);

        var progress = journal.Snapshot();
        Assert.Equal(SagaState.NeedsRepair, progress.State);
        Assert.Equal(["ReleaseStock: inventory answered 503"], progress.Errors);
        Assert.Contains(progress.History, h => h.Step == SagaStep.ReleaseStock && h.Outcome == "failed");
    }

    [Fact]
    public void Finish_StepAfterConfirmationFailed_NeedsRepairWithoutCompensating()
    {
        var journal = new SagaJournal();
        journal.Succeeded(SagaStep.ConfirmOrder, At);
        journal.Unrepaired(SagaStep.AwardCredit, At, "payments answered 500");

        journal.Finish(At);

        Assert.Equal(SagaState.NeedsRepair, journal.State);
        Assert.Null(journal.Reason);
    }
}
