using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Testing;

namespace Platform.IntegrationTests.SagaTests;

/// <summary>
/// A customer cancels a confirmed orchestrated order: OrderCancellationWorkflow (instance <c>&lt;orderId&gt;-cancel</c>)
/// refunds, returns the stock and revokes the credit, then the order ends Cancelled — asserted in every service.
/// </summary>
public sealed class OrderCancellationTests(OrderSagaWorld world) : IClassFixture<OrderSagaWorld>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cancel_ConfirmedOrchestratedOrder_RefundedRestockedCreditRevokedCancelledDespiteDuplicates()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(12.75m, stock: 5);
        var (orderId, total) = await world.PlaceOrderAsync(customer, sku, quantity: 2);
        Assert.Equal(new OrderWorld("completed", null, "", "Confirmed", null, "Succeeded", "Committed", 3, 0, 2, 25), await world.FinishedAsync(orderId, customer, sku));

        var first = await RequestCancellationAsync(orderId, "changed my mind");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("Cancelling", (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        // The fast path started the cancellation saga before the 202 came back.
        Assert.NotNull(await CancellationSagaAsync(orderId));
        // A duplicate request: answered again (202 while it runs, 200 once it is done), nothing started twice.
        var duplicate = await RequestCancellationAsync(orderId, "changed my mind");
        Assert.Contains(duplicate.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.OK });

        var saga = await Eventually.MatchAsync(
            () => CancellationSagaAsync(orderId), s => s is { } x && x.GetProperty("status").GetString() != "running", SagaWorld.Patience, "the cancellation saga finishes");
        Assert.Equal("completed", saga!.Value.GetProperty("status").GetString());
        var steps = saga.Value.GetProperty("history").EnumerateArray().Where(h => h.GetProperty("outcome").GetString() == "succeeded")
            .Select(h => h.GetProperty("step").GetString()).ToList();
        Assert.Equal(["RefundPayment", "ReturnStock", "RevokeCredit", "CancelOrder"], steps);

        // Every service: order Cancelled with the customer's reason, payment Refunded, stock back, credit revoked.
        var end = await world.WorldAsync(orderId, customer, sku);
        Assert.Equal(new OrderWorld("completed", null, "", "Cancelled", "changed my mind", "Refunded", "Returned", 5, 0, 0, 0), end);
        var credit = await world.Payments.Http.GetFromJsonAsync<JsonElement>($"/customers/{customer}/credit", Ct);
        Assert.Equal("Revoked", credit.GetProperty("orders").EnumerateArray().Single(o => o.GetProperty("orderId").GetString() == orderId).GetProperty("status").GetString());

        // Duplicate starts through every path change nothing: the request (200 now), the fast path, the event.
        var late = await RequestCancellationAsync(orderId, "again");
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("Cancelled", (await late.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        var fastPath = await world.Saga.Http.PostAsJsonAsync($"/sagas/{orderId}/cancellation", new { customerId = customer, reason = "again" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, fastPath.StatusCode);
        Assert.False((await fastPath.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("started").GetBoolean());
        await world.Orders.Dapr.PublishEventAsync("pubsub", "orders", new
        {
            eventId = orderId + ":3", orderId, customerId = customer, version = 3, sagaMode = "Orchestration", reason = "changed my mind",
            currency = "EUR", total, occurredAt = DateTimeOffset.UtcNow,
        }, new Dictionary<string, string> { ["cloudevent.type"] = "OrderCancellationRequested" }, Ct);
        var afterDuplicates = await Eventually.MatchAsync(
            () => world.WorldAsync(orderId, customer, sku), w => w == end, TimeSpan.FromSeconds(5), "nothing changes");
        Assert.Equal(end, afterDuplicates);
        Assert.Equal(saga.Value.GetProperty("history").GetArrayLength(), (await CancellationSagaAsync(orderId))!.Value.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Cancel_OrderStillInItsSaga_409ProblemAndTheSagaDecides()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(300m, stock: 3);
        // 600 > ReviewAbove: the fulfilment saga waits for a review, the order stays Placed.
        var (orderId, _) = await world.PlaceOrderAsync(customer, sku, quantity: 2);

        var response = await RequestCancellationAsync(orderId, "too slow");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Order not cancellable", problem.GetProperty("title").GetString());
        Assert.Null(await CancellationSagaAsync(orderId));
        // The review expires, the fulfilment saga cancels the order; a cancellation request now answers 200.
        var end = await world.FinishedAsync(orderId, customer, sku);
        Assert.Equal(("compensated", "Cancelled"), (end.SagaStatus, end.OrderStatus));
        var after = await RequestCancellationAsync(orderId, "too slow");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("review expired", (await after.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("cancellationReason").GetString());
        Assert.Null(await CancellationSagaAsync(orderId));
    }

    [Fact]
    public async Task Cancel_UnknownOrder_404Problem()
    {
        var response = await RequestCancellationAsync(Guid.NewGuid().ToString(), "x");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Saga.Http.GetAsync($"/sagas/{Guid.NewGuid()}/cancellation", Ct)).StatusCode);
    }

    private Task<HttpResponseMessage> RequestCancellationAsync(string orderId, string reason) =>
        world.Orders.Http.PostAsJsonAsync($"/orders/{orderId}/cancellation", new { reason }, Ct);

    private async Task<JsonElement?> CancellationSagaAsync(string orderId)
    {
        using var response = await world.Saga.Http.GetAsync($"/sagas/{orderId}/cancellation", Ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }
}
