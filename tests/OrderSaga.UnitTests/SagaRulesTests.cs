using OrderSaga.Domain;

namespace OrderSaga.UnitTests;

public sealed class SagaRulesTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.99", 0)]
    [InlineData("25.00", 25)]
    [InlineData("25.99", 25)]
    [InlineData("1234.5", 1234)]
    public void CreditPoints_Total_IsFloorOfTotal(string total, int points) =>
        Assert.Equal(points, SagaRules.CreditPoints(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("100", "100", false)]
    [InlineData("100.01", "100", true)]
    [InlineData("5", null, false)]
    public void NeedsReview_TotalAgainstThreshold_OnlyAboveIt(string total, string? threshold, bool expected) =>
        Assert.Equal(expected, SagaRules.NeedsReview(
            decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture),
            threshold is null ? null : decimal.Parse(threshold, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void ReviewRefusal_Approved_IsNone() => Assert.Null(SagaRules.ReviewRefusal(new ReviewDecision(true)));

    [Fact]
    public void ReviewRefusal_Rejected_IsRejectedReason() => Assert.Equal(SagaRules.ReviewRejectedReason, SagaRules.ReviewRefusal(new ReviewDecision(false)));

    [Fact]
    public void ReviewRefusal_NoDecisionBeforeDeadline_IsExpiredReason() => Assert.Equal(SagaRules.ReviewExpiredReason, SagaRules.ReviewRefusal(null));

    [Fact]
    public void Because_LongDetail_IsCappedForTheServices()
    {
        var reason = SagaRules.Because(SagaRules.OutOfStockReason, new string('x', 1000));

        Assert.Equal(SagaRules.MaxReasonLength, reason.Length);
        Assert.StartsWith("out of stock: x", reason, StringComparison.Ordinal);
    }
}
