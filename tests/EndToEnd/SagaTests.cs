using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EndToEnd.Infrastructure;
using Platform.Testing;

namespace EndToEnd;

/// <summary>
/// The order saga end to end, the same scenarios in both styles (orchestration by the order-saga workflow,
/// choreography by the services' consumers): every app a process through the runner, the order placed through the
/// gateway, the final state asserted in every service and by the invariant checker, and the read model converging.
/// </summary>
public sealed class SagaTests
{
    private const string DeclinedCustomer = "declined-customer";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Modes => ["Orchestration", "Choreography"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Saga_HappyPathAndDeclinedPayment_TerminalEverywhereInvariantsHoldViewConverges(string mode)
    {
        await using var run = await PlatformRun.StartAsync(appSettings: new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["payments"] = new Dictionary<string, string> { ["Payments__Gateway__DeclinedCustomers__0"] = DeclinedCustomer },
        });
        using var catalog = run.Client("catalog");
        using var inventory = run.Client("inventory");
        using var gateway = run.Client("gateway");
        using var orders = run.Client("orders");
        using var query = run.Client("order-query");
        var sku = $"E2E-{mode[..5].ToUpperInvariant()}";
        Assert.Equal(HttpStatusCode.Created, (await catalog.PostAsJsonAsync("/products", new { sku, name = "Mug", category = "kitchen", price = 12.50m, currency = "EUR" }, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await inventory.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = 10, restockId = "r1" }, Cancel)).StatusCode);

        var happy = await PlaceAsync(gateway, sku, "happy-customer", "key-happy", mode);
        var declined = await PlaceAsync(gateway, sku, DeclinedCustomer, "key-declined", mode);

        Assert.Equal("Confirmed", await TerminalStatusAsync(orders, happy.OrderId));
        Assert.Equal("Cancelled", await TerminalStatusAsync(orders, declined.OrderId));
        // In choreography inventory commits when OrderConfirmed reaches it, after the order turned Confirmed.
        var stock = await Eventually.MatchAsync(
            async () => JsonDocument.Parse(await inventory.GetStringAsync($"/stock/{sku}", Cancel)).RootElement.Clone(),
            s => s.GetProperty("reserved").GetInt32() == 0,
            TimeSpan.FromSeconds(30),
            "the confirmed order's units committed, the cancelled order's released");
        Assert.Equal(8, stock.GetProperty("available").GetInt32());
        Assert.Equal(2, stock.GetProperty("committed").GetInt32());

        var violations = await Eventually.MatchAsync(
            () => InvariantChecker.CheckAsync(run, [happy, declined]),
            v => v.Count == 0,
            TimeSpan.FromSeconds(60),
            "invariants hold once the saga's deliveries settle");
        Assert.Empty(violations);

        // The composed view (gateway) and the CQRS view (order-query) agree with the services.
        using var composed = JsonDocument.Parse(await gateway.GetStringAsync($"/api/orders/{happy.OrderId}", Cancel));
        Assert.Equal("Confirmed", composed.RootElement.GetProperty("order").GetProperty("status").GetString());
        Assert.True(composed.RootElement.GetProperty("complete").GetBoolean());
        var summary = await Eventually.MatchAsync(
            async () => await query.GetAsync($"/orders/{declined.OrderId}/summary", Cancel) is { IsSuccessStatusCode: true } r
                ? JsonDocument.Parse(await r.Content.ReadAsStringAsync(Cancel)).RootElement.Clone()
                : (JsonElement?)null,
            s => s?.GetProperty("sagaStatus").GetString() == "Cancelled",
            TimeSpan.FromSeconds(30),
            "the read model shows the cancelled order");
        Assert.Equal(25.00m, summary!.Value.GetProperty("total").GetDecimal());
    }

    private static async Task<AcknowledgedOrder> PlaceAsync(HttpClient gateway, string sku, string customerId, string key, string mode)
    {
        var response = await Eventually.MatchAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
                {
                    Content = JsonContent.Create(new { customerId, sagaMode = mode, lines = new[] { new { sku, quantity = 2 } } }),
                };
                request.Headers.Add("Idempotency-Key", key);
                var sent = await gateway.SendAsync(request, Cancel);
                return (sent.StatusCode, Body: await sent.Content.ReadAsStringAsync(Cancel));
            },
            r => r.StatusCode == HttpStatusCode.Created,
            TimeSpan.FromSeconds(30),
            "the order is accepted once the product reached the orders replica");
        using var body = JsonDocument.Parse(response.Body);
        return new AcknowledgedOrder(body.RootElement.GetProperty("orderId").GetString()!, key, customerId, body.RootElement.GetProperty("total").GetDecimal());
    }

    private static async Task<string> TerminalStatusAsync(HttpClient orders, string orderId) =>
        await Eventually.MatchAsync(
            async () =>
            {
                using var order = JsonDocument.Parse(await orders.GetStringAsync($"/orders/{orderId}", Cancel));
                return order.RootElement.GetProperty("status").GetString()!;
            },
            status => status is "Confirmed" or "Cancelled",
            TimeSpan.FromSeconds(60),
            $"order {orderId} reaches a terminal state");
}
