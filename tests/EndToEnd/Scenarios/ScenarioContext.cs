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

    /// <summary>The orchestrated saga reaches its review step (and, when nobody decides, the deadline ends it).</summary>
    public async Task AwaitReviewAsync()
    {
        if (Orchestrated)
        {
            var saga = await Settle.UntilAsync(() => SagaAsync(), s => s is { } found && ReachedReview(found), TimeSpan.FromSeconds(30));
            Assert.True(saga is { } reached && ReachedReview(reached), $"the saga of {Order.OrderId} never waited for a review: {saga}");
        }
    }

    /// <summary>
    /// A reviewer's decision. The orchestrated saga waits for it; a choreographed order has no saga to take it (404):
    /// choreography has no review step, so nothing holds the order back.
    /// </summary>
    public async Task ReviewAsync(bool approved)
    {
        await AwaitReviewAsync();
        using var decided = await Fixture.Client("order-saga").PostAsJsonAsync($"/sagas/{Order.OrderId}/review", new { approved, reviewer = "e2e-reviewer" }, Cancel);
        var expected = Orchestrated ? HttpStatusCode.Accepted : HttpStatusCode.NotFound;
        Assert.True(
            decided.StatusCode == expected,
            $"review of {Order.OrderId}: {decided.StatusCode}, expected {expected}; the saga: {await SagaAsync()}");
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
