using System.Text.Json;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// DESIGN §4 for the review of a choreographed order: what orders writes (OrderPlaced's review flag, OrderReviewed,
/// OrderCancelled's saga mode), read through the consumers' own copies with the values they act on intact.
/// </summary>
public sealed class ReviewContractTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private const string OrderId = "3f2b8c1e-0d4a-4f6b-9a51-2c7e8d9f0a1b";

    private static string Json(object sample) => JsonSerializer.Serialize(sample, sample.GetType(), JsonSerializerOptions.Web);

    [Fact]
    public void OrderPlaced_AwaitingReview_PaymentsSeesTheFlag()
    {
        var json = Json(new Orders.Contracts.OrderPlaced(
            $"{OrderId}:1", OrderId, "cust-1", 1, Orders.Domain.SagaMode.Choreography,
            [new Orders.Contracts.OrderPlacedLine("SKU-1", "TV", 1, 900m)], "EUR", 900m, At, ReviewRequired: true));

        var payments = JsonSerializer.Deserialize<Payments.Choreography.OrderPlacedCopy>(json, Payments.Choreography.SagaEventsApi.EventJson)!;

        Assert.True(payments.ReviewRequired);
    }

    [Fact]
    public void OrderReviewed_ProducerSample_ReadByPayments()
    {
        var json = Json(new Orders.Contracts.OrderReviewed(
            $"{OrderId}:2", OrderId, "cust-1", 2, Orders.Domain.SagaMode.Choreography, Approved: true, "alice", "known customer", At));

        Assert.Equal(
            new Payments.Choreography.OrderReviewedCopy($"{OrderId}:2", OrderId, 2, Approved: true),
            JsonSerializer.Deserialize<Payments.Choreography.OrderReviewedCopy>(json, Payments.Choreography.SagaEventsApi.EventJson));
    }

    [Fact]
    public void OrderCancelled_ProducerSample_ReadByInventoryWithItsSagaMode()
    {
        var json = Json(new Orders.Contracts.OrderCancelled($"{OrderId}:2", OrderId, "cust-1", 2, "review expired", At, Orders.Domain.SagaMode.Choreography));

        Assert.Equal(
            new Inventory.Choreography.OrderCancelledCopy($"{OrderId}:2", OrderId, 2, "Choreography"),
            JsonSerializer.Deserialize<Inventory.Choreography.OrderCancelledCopy>(json, Inventory.Choreography.SagaEventsApi.EventJson));
    }
}
