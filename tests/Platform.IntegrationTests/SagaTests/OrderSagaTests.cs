using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.SagaTests;

public sealed class OrderSagaWorld(PostgresFixture postgres) : SagaWorld(postgres);

/// <summary>The orchestrated saga across the real orders, payments, inventory and order-saga apps, each scenario
/// asserting the final state in every service.</summary>
public sealed class OrderSagaTests(OrderSagaWorld world) : IClassFixture<OrderSagaWorld>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Saga_HappyPath_ConfirmsChargesCommitsAndAwardsOnceDespiteDuplicateStarts()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(12.75m, stock: 5);

        var (orderId, total) = await world.PlaceOrderAsync(customer, sku, quantity: 2);
        // The fast path started the saga before the order's 201 came back (the outbox relay takes longer).
        Assert.NotNull(await world.SagaAsync(orderId));
        var world1 = await world.FinishedAsync(orderId, customer, sku);

        // Duplicate starts through both paths: the fast path again, and OrderPlaced again.
        var again = await world.Saga.Http.PostAsJsonAsync("/sagas", new
        {
            orderId, customerId = customer, lines = new[] { new { sku, productName = "x", quantity = 2, unitPrice = 12.75m } }, currency = "EUR", total,
        }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("started").GetBoolean());
        await world.Orders.Dapr.PublishEventAsync("pubsub", "orders", new
        {
            eventId = orderId + ":1", orderId, customerId = customer, version = 1, sagaMode = "Orchestration",
            lines = new[] { new { sku, productName = "x", quantity = 2, unitPrice = 12.75m } }, currency = "EUR", total, occurredAt = DateTimeOffset.UtcNow,
        }, new Dictionary<string, string> { ["cloudevent.type"] = "OrderPlaced" }, Ct);

        Assert.Equal(25.50m, total);
        Assert.Equal(new OrderWorld("completed", null, "", "Confirmed", null, "Succeeded", "Committed", 3, 0, 2, 25), world1);
        var saga = (await world.SagaAsync(orderId))!.Value;
        var steps = saga.GetProperty("history").EnumerateArray().Where(h => h.GetProperty("outcome").GetString() == "succeeded")
            .Select(h => h.GetProperty("step").GetString()).ToList();
        Assert.Equal(["ReserveStock", "ChargePayment", "ConfirmOrder", "CommitStock", "AwardCredit"], steps);
        // Still once after the duplicates (the saga is not restarted: same history, credit awarded once).
        var afterDuplicates = await Eventually.MatchAsync(
            () => world.WorldAsync(orderId, customer, sku), w => w == world1, TimeSpan.FromSeconds(5), "nothing changes");
        Assert.Equal(world1, afterDuplicates);
        Assert.Equal(saga.GetProperty("history").GetArrayLength(), (await world.SagaAsync(orderId))!.Value.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Saga_OutOfStock_CancelsOrderWithoutCharging()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(10m, stock: 1);

        var (orderId, _) = await world.PlaceOrderAsync(customer, sku, quantity: 2);
        var end = await world.FinishedAsync(orderId, customer, sku);

        Assert.Equal("compensated", end.SagaStatus);
        Assert.StartsWith("out of stock", end.SagaReason, StringComparison.Ordinal);
        Assert.Equal("Cancelled", end.OrderStatus);
        Assert.Equal(end.SagaReason, end.CancellationReason);
        Assert.Null(end.PaymentStatus);
        Assert.Equal("Rejected", end.ReservationStatus);
        Assert.Equal((1L, 0L, 0L, 0L), (end.Available, end.Reserved, end.Committed, end.CreditBalance));
    }

    [Fact]
    public async Task Saga_PaymentDeclined_ReleasesStockAndCancels()
    {
        var sku = await world.NewProductAsync(10m, stock: 3);

        var (orderId, _) = await world.PlaceOrderAsync(SagaWorld.DeclinedCustomer, sku, quantity: 2);
        var end = await world.FinishedAsync(orderId, SagaWorld.DeclinedCustomer, sku);

        Assert.Equal("compensated", end.SagaStatus);
        Assert.StartsWith("payment declined", end.SagaReason, StringComparison.Ordinal);
        Assert.Equal(("Cancelled", "Failed", "Released"), (end.OrderStatus, end.PaymentStatus, end.ReservationStatus));
        Assert.Equal(end.SagaReason, end.CancellationReason);
        Assert.Equal((3L, 0L, 0L, 0L), (end.Available, end.Reserved, end.Committed, end.CreditBalance));
    }

    [Fact]
    public async Task Saga_PaymentTimesOut_CompensatesAndRefundsTheLateCharge()
    {
        var sku = await world.NewProductAsync(10m, stock: 3);

        var (orderId, _) = await world.PlaceOrderAsync(SagaWorld.SlowCustomer, sku, quantity: 1);
        var end = await world.FinishedAsync(orderId, SagaWorld.SlowCustomer, sku);

        Assert.Equal("compensated", end.SagaStatus);
        Assert.Equal("payment timed out", end.SagaReason);
        // The charge succeeded after the saga had given up on it, and was refunded.
        Assert.Equal(("Cancelled", "Refunded", "Released"), (end.OrderStatus, end.PaymentStatus, end.ReservationStatus));
        Assert.Equal("payment timed out", end.CancellationReason);
        Assert.Equal((3L, 0L, 0L, 0L), (end.Available, end.Reserved, end.Committed, end.CreditBalance));
    }

    [Fact]
    public async Task Saga_LargeOrderApprovedInReview_Completes()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(300m, stock: 2);
        var (orderId, _) = await world.PlaceOrderAsync(customer, sku, quantity: 2);
        await AwaitReviewAsync(orderId);

        var reviewed = await world.Saga.Http.PostAsJsonAsync($"/sagas/{orderId}/review", new { approved = true, reviewer = "ann" }, Ct);
        var end = await world.FinishedAsync(orderId, customer, sku);

        Assert.Equal(HttpStatusCode.Accepted, reviewed.StatusCode);
        Assert.Equal(new OrderWorld("completed", null, "", "Confirmed", null, "Succeeded", "Committed", 0, 0, 2, 600), end);
        var late = await world.Saga.Http.PostAsJsonAsync($"/sagas/{orderId}/review", new { approved = false }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [Fact]
    public async Task Saga_LargeOrderRejectedInReview_ReleasesAndCancelsWithoutCharging()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(300m, stock: 2);
        var (orderId, _) = await world.PlaceOrderAsync(customer, sku, quantity: 2);
        await AwaitReviewAsync(orderId);

        var reviewed = await world.Saga.Http.PostAsJsonAsync($"/sagas/{orderId}/review", new { approved = false }, Ct);
        var end = await world.FinishedAsync(orderId, customer, sku);

        Assert.Equal(HttpStatusCode.Accepted, reviewed.StatusCode);
        Assert.Equal(new OrderWorld("compensated", "rejected in review", "", "Cancelled", "rejected in review", null, "Released", 2, 0, 0, 0), end);
    }

    [Fact]
    public async Task Saga_ReviewNotDecidedBeforeDeadline_ExpiresAndCompensates()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(300m, stock: 2);

        var (orderId, _) = await world.PlaceOrderAsync(customer, sku, quantity: 2);
        var end = await world.FinishedAsync(orderId, customer, sku);

        Assert.Equal(new OrderWorld("compensated", "review expired", "", "Cancelled", "review expired", null, "Released", 2, 0, 0, 0), end);
    }

    [Fact]
    public async Task Saga_CompensationKeepsFailing_EndsInNeedsRepairWithTheError()
    {
        // The order is confirmed behind the saga's back while it waits for the review; rejecting it then makes the
        // "cancel order" compensation fail every time (409: a confirmed order is not cancelled by this endpoint).
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(300m, stock: 2);
        var (orderId, _) = await world.PlaceOrderAsync(customer, sku, quantity: 2);
        await AwaitReviewAsync(orderId);
        var confirmed = await world.Orders.Http.PostAsync($"/orders/{orderId}/confirm", null, Ct);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);

        await world.Saga.Http.PostAsJsonAsync($"/sagas/{orderId}/review", new { approved = false }, Ct);
        var end = await world.FinishedAsync(orderId, customer, sku);

        Assert.Equal("needs-repair", end.SagaStatus);
        Assert.Equal("rejected in review", end.SagaReason);
        Assert.StartsWith("CancelOrder: orders POST /orders/", end.SagaErrors, StringComparison.Ordinal);
        Assert.Contains("409", end.SagaErrors, StringComparison.Ordinal);
        Assert.DoesNotContain(" | ", end.SagaErrors, StringComparison.Ordinal);
        // The other compensations still ran: the stock is back, nothing was charged.
        Assert.Equal(("Confirmed", null, "Released", 2L, 0L), (end.OrderStatus, end.PaymentStatus, end.ReservationStatus, end.Available, end.Reserved));
    }

    private async Task AwaitReviewAsync(string orderId) =>
        await Eventually.MatchAsync(
            () => world.SagaAsync(orderId),
            saga => saga is { } s && s.GetProperty("step").GetString() == "AwaitReview",
            SagaWorld.Patience,
            $"the saga of {orderId} waits for a review");
}
