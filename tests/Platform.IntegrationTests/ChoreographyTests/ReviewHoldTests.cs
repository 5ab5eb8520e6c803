using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// Payments' hold of a reviewed order's charge, driven by delivering the events to the real payments app as its
/// sidecar would (its subscription routes), in every arrival order, duplicated and concurrently: exactly one
/// charge, and only once both StockReserved and the approval were seen.
/// </summary>
public sealed class ReviewHoldTests(ReviewChoreographyEnvironment world) : IClassFixture<ReviewChoreographyEnvironment>
{
    private const decimal Amount = 600m;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApprovalBeforeStockReserved_HeldThenChargedOnce()
    {
        var (orderId, _) = await OrderPlacedAsync();

        Assert.Equal("SUCCESS", await DeliverAsync("OrderReviewed", Reviewed(orderId)));
        Assert.Equal("SUCCESS", await DeliverAsync("OrderReviewed", Reviewed(orderId)));
        Assert.Null(await world.PaymentAsync(orderId));

        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));
        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));

        await AssertChargedOnceAsync(orderId);
    }

    [Fact]
    public async Task StockReservedBeforeApproval_HeldThenChargedOnce()
    {
        var (orderId, _) = await OrderPlacedAsync();

        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));
        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));
        Assert.Null(await world.PaymentAsync(orderId));
        Assert.Null(await world.GatewayChargeAsync(orderId));

        Assert.Equal("SUCCESS", await DeliverAsync("OrderReviewed", Reviewed(orderId)));
        Assert.Equal("SUCCESS", await DeliverAsync("OrderReviewed", Reviewed(orderId)));

        await AssertChargedOnceAsync(orderId);
    }

    [Fact]
    public async Task BothArriveConcurrentlyAndDuplicated_ChargedExactlyOnce()
    {
        var (orderId, _) = await OrderPlacedAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => i % 2 == 0
            ? DeliverAsync("StockReserved", Reserved(orderId))
            : DeliverAsync("OrderReviewed", Reviewed(orderId))));

        Assert.All(answers, answer => Assert.Equal("SUCCESS", answer));
        await AssertChargedOnceAsync(orderId);
    }

    [Fact]
    public async Task NeverApproved_StockReservedAloneChargesNothing()
    {
        var (orderId, _) = await OrderPlacedAsync();

        Assert.Equal("SUCCESS", await DeliverAsync("StockReserved", Reserved(orderId)));
        Assert.Equal("SUCCESS", await DeliverAsync("OrderReviewed", Reviewed(orderId, approved: false)));

        Assert.Null(await world.PaymentAsync(orderId));
        Assert.Null(await world.GatewayChargeAsync(orderId));
    }

    [Fact]
    public async Task ApprovalBeforeItsOrderPlaced_RetriedUntilTheCopyIsThere()
    {
        var orderId = Guid.NewGuid().ToString();

        Assert.Equal("RETRY", await DeliverAsync("OrderReviewed", Reviewed(orderId)));
    }

    private async Task<(string OrderId, string Customer)> OrderPlacedAsync()
    {
        var orderId = Guid.NewGuid().ToString();
        var customer = ChoreographyEnvironment.NewId("cust");
        var placed = new
        {
            eventId = $"{orderId}:1", orderId, customerId = customer, version = 1L, sagaMode = "Choreography",
            lines = new[] { new { sku = "SKU-HOLD", productName = "TV", quantity = 1, unitPrice = Amount } },
            currency = "EUR", total = Amount, occurredAt = DateTimeOffset.UtcNow, reviewRequired = true,
        };
        Assert.Equal("SUCCESS", await DeliverAsync("OrderPlaced", placed));
        return (orderId, customer);
    }

    private static object Reserved(string orderId) => new { eventId = $"{orderId}:2", orderId, version = 2L, lines = new[] { new { sku = "SKU-HOLD", quantity = 1 } }, occurredAt = DateTimeOffset.UtcNow };

    private static object Reviewed(string orderId, bool approved = true) =>
        new { eventId = $"{orderId}:2", orderId, customerId = "c", version = 2L, sagaMode = "Choreography", approved, reviewer = "alice", occurredAt = DateTimeOffset.UtcNow };

    /// <summary>Delivers an event to payments' route for its type and answers the Dapr status it returned.</summary>
    private async Task<string> DeliverAsync(string type, object payload)
    {
        using var response = await world.Payments.Http.PostAsJsonAsync($"/events/saga/{type}", payload, Cancellation);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("status").GetString()!;
    }

    private async Task AssertChargedOnceAsync(string orderId)
    {
        var payment = await ChoreographyEnvironment.EventuallyAsync(() => world.PaymentAsync(orderId), p => p is not null, "payments charges the approved order");
        Assert.Equal("Succeeded", payment!.Value.GetProperty("status").GetString());
        Assert.Equal(Amount, payment.Value.GetProperty("amount").GetDecimal());
        Assert.Equal(1, (await world.GatewayChargeAsync(orderId))!.Value.GetProperty("charges").GetInt32());
    }
}
