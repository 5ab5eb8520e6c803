using Payments.Domain;

namespace Payments.UnitTests;

/// <summary>The payments side of a customer cancellation of a choreographed order.</summary>
public sealed class CancellationRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static SagaOrder Copy(string mode = "Choreography") => new("order-1", "cust-1", mode, 25.50m, "EUR", 1, Now);

    [Fact]
    public void OnOrderCancellationRequested_ChoreographedOrder_CompensatesForItsCustomer() =>
        Assert.Equal(new SagaStep.Compensate("cust-1", "order-1"), ChoreographyRules.OnOrderCancellationRequested(Copy()));

    [Fact]
    public void OnOrderCancellationRequested_OrchestratedOrder_SkippedForItsWorkflow() =>
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderCancellationRequested(Copy("Orchestration")));

    [Fact]
    public void OnOrderCancellationRequested_NoCopy_Skipped() =>
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderCancellationRequested(null));

    [Theory]
    [InlineData(PaymentStatus.Refunded, RefundVerdict.Done)]
    [InlineData(PaymentStatus.Pending, RefundVerdict.NotYet)]
    [InlineData(PaymentStatus.Succeeded, RefundVerdict.NotYet)]
    [InlineData(PaymentStatus.Failed, RefundVerdict.Contradiction)]
    [InlineData(null, RefundVerdict.Contradiction)]
    public void AfterRefund_PaymentStatus_Verdict(PaymentStatus? status, RefundVerdict verdict) =>
        Assert.Equal(verdict, ChoreographyRules.AfterRefund(status));

    [Fact]
    public void RevokeThenAward_CancellationOvertookTheConfirmation_AwardAppliesNothing()
    {
        var policy = new CreditLedgerPolicy(TimeSpan.FromDays(30), 100);
        var revoked = ((CreditDecision.Applied)CreditAccount.Open("cust-1").Revoke("order-1", Now, policy)).Account;

        var award = revoked.Award("order-1", 25, Now, policy);

        Assert.Equal(0, Assert.IsType<CreditDecision.Unchanged>(award).Account.Balance);
    }
}
