using Payments.Domain;

namespace Payments.UnitTests;

/// <summary>A choreographed order that waits for a review is charged only once both StockReserved and its approval were seen.</summary>
public sealed class ReviewHoldRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static readonly SagaStep.Charge ExpectedCharge = new("order-1", "cust-1", 250m, "EUR");

    private static SagaOrder Reviewed(string mode = "Choreography") => new("order-1", "cust-1", mode, 250m, "EUR", 1, Now, ReviewRequired: true);

    private static SagaOrder NotReviewed() => new("order-1", "cust-1", "Choreography", 250m, "EUR", 1, Now);

    [Fact]
    public void AwaitsApproval_OnlyForChoreographedOrdersThatRequireReview()
    {
        Assert.True(ChoreographyRules.AwaitsApproval(Reviewed()));
        Assert.False(ChoreographyRules.AwaitsApproval(Reviewed("Orchestration")));
        Assert.False(ChoreographyRules.AwaitsApproval(NotReviewed()));
        Assert.False(ChoreographyRules.AwaitsApproval(null));
    }

    [Fact]
    public void OnStockReserved_ReviewedOrderNotApprovedYet_HoldsTheCharge() =>
        Assert.IsType<SagaStep.Hold>(ChoreographyRules.OnStockReserved(Reviewed(), new ChargeGate(StockReserved: true, Approved: false)));

    [Fact]
    public void OnStockReserved_ReviewedOrderAlreadyApproved_Charges() =>
        Assert.Equal(ExpectedCharge, ChoreographyRules.OnStockReserved(Reviewed(), new ChargeGate(StockReserved: true, Approved: true)));

    [Fact]
    public void OnStockReserved_OrderWithoutReview_ChargesWithoutApproval() =>
        Assert.Equal(ExpectedCharge, ChoreographyRules.OnStockReserved(NotReviewed(), new ChargeGate(StockReserved: true, Approved: false)));

    [Fact]
    public void OnOrderReviewed_ApprovedBeforeStockReserved_HoldsTheCharge() =>
        Assert.IsType<SagaStep.Hold>(ChoreographyRules.OnOrderReviewed(Reviewed(), approved: true, new ChargeGate(StockReserved: false, Approved: true)));

    [Fact]
    public void OnOrderReviewed_ApprovedAfterStockReserved_Charges() =>
        Assert.Equal(ExpectedCharge, ChoreographyRules.OnOrderReviewed(Reviewed(), approved: true, new ChargeGate(StockReserved: true, Approved: true)));

    [Fact]
    public void OnOrderReviewed_CopyNotArrivedYet_WaitsForRedelivery() =>
        Assert.IsType<SagaStep.Wait>(ChoreographyRules.OnOrderReviewed(null, approved: true, new ChargeGate(StockReserved: true, Approved: false)));

    [Fact]
    public void OnOrderReviewed_NotApproved_NeverCharges() =>
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderReviewed(Reviewed(), approved: false, new ChargeGate(StockReserved: true, Approved: false)));

    [Fact]
    public void OnOrderReviewed_OrchestratedOrOrderWithoutReview_Skipped()
    {
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderReviewed(Reviewed("Orchestration"), approved: true, new ChargeGate(true, true)));
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderReviewed(NotReviewed(), approved: true, new ChargeGate(true, true)));
    }
}
