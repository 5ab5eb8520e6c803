using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EndToEnd.Infrastructure;

namespace EndToEnd.Scenarios;

/// <summary>What a scenario's drive may do while its saga runs: act as the reviewer, as the customer, and so on.</summary>
public sealed class ScenarioContext(SagaRunFixture fixture, AcknowledgedOrder order)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public SagaRunFixture Fixture { get; } = fixture;

    public AcknowledgedOrder Order { get; } = order;

    private bool Orchestrated => Fixture.Mode == SagaRunFixture.Orchestration;

    /// <summary>
    /// The order waits for its review: the orchestrated saga reaches its review step, a choreographed order shows
    /// its review Awaiting (when nobody decides, the deadline ends either).
    /// </summary>
    public async Task AwaitReviewAsync()
    {
        if (Orchestrated)
        {
            var saga = await Settle.UntilAsync(() => SagaAsync(), s => s is { } found && ReachedReview(found), TimeSpan.FromSeconds(30));
            Assert.True(saga is { } reached && ReachedReview(reached), $"the saga of {Order.OrderId} never waited for a review: {saga}");
        }
        else
        {
            var review = await Settle.UntilAsync(() => OrderReviewStatusAsync(), s => s is not null, TimeSpan.FromSeconds(30));
            Assert.True(review == "Awaiting", $"order {Order.OrderId} does not wait for a review: {review}");
        }
    }

    /// <summary>
    /// A reviewer's decision: order-saga takes it for an orchestrated order, orders for a choreographed one (orders
    /// owns that review, since choreography has no coordinator). Both answer once the decision is recorded.
    /// </summary>
    public async Task ReviewAsync(bool approved)
    {
        await AwaitReviewAsync();
        using var decided = Orchestrated
            ? await Fixture.Client("order-saga").PostAsJsonAsync($"/sagas/{Order.OrderId}/review", new { approved, reviewer = "e2e-reviewer" }, Cancel)
            : await Fixture.Client("orders").PostAsJsonAsync($"/orders/{Order.OrderId}/review", new { approved, reviewer = "e2e-reviewer" }, Cancel);
        var expected = Orchestrated ? HttpStatusCode.Accepted : HttpStatusCode.OK;
        Assert.True(
            decided.StatusCode == expected,
            $"review of {Order.OrderId}: {decided.StatusCode}, expected {expected}: {await decided.Content.ReadAsStringAsync(Cancel)}");
    }

    private async Task<string?> OrderReviewStatusAsync()
    {
        using var response = await Fixture.Client("orders").GetAsync($"/orders/{Order.OrderId}", Cancel);
        return response.IsSuccessStatusCode
            && JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.TryGetProperty("review", out var review)
            && review.ValueKind == JsonValueKind.Object
            ? review.GetProperty("status").GetString()
            : null;
    }

    /// <summary>The customer cancels the order once it is confirmed (both styles take the same request).</summary>
    public async Task CancelAfterConfirmationAsync(string reason)
    {
        var orders = Fixture.Client("orders");
        var status = await Settle.UntilAsync(() => OrderStatusAsync(orders), s => s == "Confirmed", TimeSpan.FromSeconds(60));
        Assert.True(status == "Confirmed", $"order {Order.OrderId} never got confirmed, it is {status}");

        using var cancelled = await orders.PostAsJsonAsync($"/orders/{Order.OrderId}/cancellation", new { reason }, Cancel);
        Assert.True(cancelled.StatusCode == HttpStatusCode.Accepted, $"cancellation of {Order.OrderId}: {cancelled.StatusCode} {await cancelled.Content.ReadAsStringAsync(Cancel)}");
    }

    private async Task<string?> OrderStatusAsync(HttpClient orders)
    {
        using var response = await orders.GetAsync($"/orders/{Order.OrderId}", Cancel);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("status").GetString()
            : null;
    }

    private static bool ReachedReview(JsonElement saga) =>
        saga.GetProperty("step").GetString() == "AwaitReview"
        || saga.GetProperty("history").EnumerateArray().Any(entry => entry.GetProperty("step").GetString() == "AwaitReview");

    private async Task<JsonElement?> SagaAsync()
    {
        using var response = await Fixture.Client("order-saga").GetAsync($"/sagas/{Order.OrderId}", Cancel);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone() : null;
    }
}
