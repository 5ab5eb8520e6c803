using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Choreography;
using Payments.Domain;
using ServiceDefaults;

namespace Payments.UnitTests;

public sealed class ChoreographyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static readonly ChargeGate NoFacts = new(StockReserved: false, Approved: false);

    private static SagaOrder Copy(string mode = "Choreography", decimal total = 25.50m) => new("order-1", "cust-1", mode, total, "EUR", 1, Now);

    [Fact]
    public void OnStockReserved_CopyNotArrivedYet_WaitsForRedelivery() =>
        Assert.IsType<SagaStep.Wait>(ChoreographyRules.OnStockReserved(null, NoFacts));

    [Fact]
    public void OnStockReserved_OrchestratedOrder_Skipped() =>
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnStockReserved(Copy("Orchestration"), NoFacts));

    [Fact]
    public void OnStockReserved_ChoreographedOrder_ChargesTheCopysAmountCurrencyAndCustomer() =>
        Assert.Equal(new SagaStep.Charge("order-1", "cust-1", 25.50m, "EUR"), ChoreographyRules.OnStockReserved(Copy(), NoFacts));

    [Fact]
    public void OnOrderConfirmed_NoCopy_SkippedNotRetried() =>
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderConfirmed(null));

    [Fact]
    public void OnOrderConfirmed_OrchestratedOrder_Skipped() =>
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderConfirmed(Copy("Orchestration")));

    [Fact]
    public void OnOrderConfirmed_ChoreographedOrder_AwardsFloorOfTotal() =>
        Assert.Equal(new SagaStep.Award("cust-1", "order-1", 25), ChoreographyRules.OnOrderConfirmed(Copy()));

    [Theory]
    [InlineData("Orchestration", true)]
    [InlineData("Choreography", false)]
    [InlineData(null, false)]
    public void SkipAnotherSaga_EventNamesItsMode_SkipsOnlyAnotherModeWithoutTheCopy(string? mode, bool skipped) =>
        Assert.Equal(skipped, ChoreographyRules.SkipAnotherSaga(mode) is not null);

    [Fact]
    public void OnOrderConfirmed_TotalBelowOnePoint_Skipped() =>
        Assert.IsType<SagaStep.Skip>(ChoreographyRules.OnOrderConfirmed(Copy(total: 0.99m)));

    [Theory]
    [InlineData("25.50", 25)]
    [InlineData("25.99", 25)]
    [InlineData("100", 100)]
    [InlineData("0.99", 0)]
    [InlineData("0", 0)]
    [InlineData("2000000.5", ChoreographyRules.MaxPointsPerOrder)]
    public void CreditPoints_Total_FloorCappedAtTheAwardLimit(string total, int points) =>
        Assert.Equal(points, ChoreographyRules.CreditPoints(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Answer_ChargedOrDeclined_Success()
    {
        Assert.Equal(TopicStatus.Success, SagaEventsApi.Answer("StockReserved", "e", "o", TypedResults.Ok(), NullLogger.Instance).Value);
        Assert.Equal(TopicStatus.Success, SagaEventsApi.Answer("StockReserved", "e", "o", TypedResults.Problem(statusCode: StatusCodes.Status402PaymentRequired), NullLogger.Instance).Value);
    }

    [Fact]
    public void Answer_ContradictingOrInvalidRequest_DropToDeadLetter()
    {
        Assert.Equal(TopicStatus.Drop, SagaEventsApi.Answer("StockReserved", "e", "o", TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity), NullLogger.Instance).Value);
        Assert.Equal(TopicStatus.Drop, SagaEventsApi.Answer("OrderConfirmed", "e", "o", TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["amount"] = ["bad"] }), NullLogger.Instance).Value);
    }
}
