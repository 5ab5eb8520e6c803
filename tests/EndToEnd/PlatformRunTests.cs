using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EndToEnd.Infrastructure;
using Platform.Testing;

namespace EndToEnd;

/// <summary>
/// The platform through the runner, as processes: an order placed, stocked and paid across the four services by
/// their public APIs, and an app killed with -9 coming back with its data.
/// </summary>
public sealed class PlatformRunTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Order_AcrossTheFourServices_PricedFromTheReplicaReservedChargedAndConfirmed()
    {
        // Without order-saga: the test takes the saga's steps itself, through the services' public APIs.
        await using var run = await PlatformRun.StartAsync(apps: PlatformRun.AllApps.Where(a => a.AppId is "catalog" or "orders" or "payments" or "inventory").ToList());
        using var catalog = run.Client("catalog");
        using var orders = run.Client("orders");
        using var inventory = run.Client("inventory");
        using var payments = run.Client("payments");

        Assert.Equal(HttpStatusCode.Created, (await catalog.PostAsJsonAsync("/products", new { sku = "E2E-MUG", name = "Mug", category = "kitchen", price = 12.50m, currency = "EUR" }, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await inventory.PostAsJsonAsync("/stock/E2E-MUG/restock", new { quantity = 5, restockId = "r1" }, Cancel)).StatusCode);
        var order = await Eventually.MatchAsync<JsonElement?>(
            async () => await PlaceAsync(orders, "key-1"),
            o => o is not null,
            TimeSpan.FromSeconds(30),
            "the product reaches the orders replica through catalog's outbox and pub/sub");
        var orderId = order!.Value.GetProperty("orderId").GetString()!;
        Assert.Equal(25.00m, order.Value.GetProperty("total").GetDecimal());

        var reserved = await inventory.PostAsJsonAsync("/reservations", new { orderId, lines = new[] { new { sku = "E2E-MUG", quantity = 2 } } }, Cancel);
        var charged = await payments.PostAsJsonAsync("/payments", new { orderId, customerId = "e2e-customer", amount = 25.00m, currency = "EUR" }, Cancel);
        var confirmed = await orders.PostAsync($"/orders/{orderId}/confirm", null, Cancel);

        Assert.Equal(HttpStatusCode.Created, reserved.StatusCode);
        Assert.Equal(HttpStatusCode.Created, charged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        using var stock = JsonDocument.Parse(await inventory.GetStringAsync("/stock/E2E-MUG", Cancel));
        Assert.Equal(3, stock.RootElement.GetProperty("available").GetInt32());
        Assert.Equal(2, stock.RootElement.GetProperty("reserved").GetInt32());
        var violations = await Eventually.MatchAsync(
            () => InvariantChecker.CheckAsync(run, [new AcknowledgedOrder(orderId, "key-1", "e2e-customer", 25.00m)]),
            v => v.Count == 0,
            TimeSpan.FromSeconds(20),
            "the stores satisfy the platform's invariants once deliveries settle");
        Assert.Empty(violations);

        // The checker must see drift: a unit appears from nowhere, and an acknowledged order is missing.
        var key = "inventory||stock-E2E-MUG";
        var drifted = JsonNode.Parse((string)(await run.Redis.Database.HashGetAsync(key, "data"))!)!;
        drifted["available"] = drifted["available"]!.GetValue<long>() + 1;
        await run.Redis.Database.HashSetAsync(key, "data", drifted.ToJsonString());
        var found = await InvariantChecker.CheckAsync(run, [new AcknowledgedOrder(orderId, "key-1", "e2e-customer", 25.00m), new AcknowledgedOrder("lost-order", "key-2", "e2e-customer", 5m)]);
        Assert.Contains(found, v => v.StartsWith("sku E2E-MUG: restocked 5 ≠ available 4", StringComparison.Ordinal));
        Assert.Contains("order lost-order was acknowledged but is not in the orders store", found);
    }

    [Fact]
    public async Task App_KilledWithSignal9_RestartedBesideItsSidecarWithItsData()
    {
        await using var run = await PlatformRun.StartAsync(apps: PlatformRun.AllApps.Where(a => a.AppId is "catalog").ToList());
        using var catalog = run.Client("catalog");
        Assert.Equal(HttpStatusCode.Created, (await catalog.PostAsJsonAsync("/products", new { sku = "E2E-KILL", name = "Lamp", category = "home", price = 30m, currency = "EUR" }, Cancel)).StatusCode);

        await run.KillAppAsync("catalog");

        using var product = JsonDocument.Parse(await catalog.GetStringAsync("/products/E2E-KILL", Cancel));
        Assert.Equal("Lamp", product.RootElement.GetProperty("name").GetString());
        Assert.Contains("App catalog exited with code 137; starting it again", run.Output, StringComparison.Ordinal);
    }

    private static async Task<JsonElement?> PlaceAsync(HttpClient orders, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId = "e2e-customer", lines = new[] { new { sku = "E2E-MUG", quantity = 2 } } }),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await orders.SendAsync(request, Cancel);
        return response.StatusCode == HttpStatusCode.Created
            ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone()
            : null;
    }
}
