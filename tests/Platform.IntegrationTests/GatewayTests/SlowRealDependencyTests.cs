using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;
using Sidecar.Faults;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>
/// The real catalog, orders, payments and inventory behind a gateway whose sidecar holds every call to payments back
/// (fault "invokeDelay"), as a payments service that answers far too late would: the composed order still comes
/// from the real services, with the payment named missing, and the breaker stops the calls after repeated timeouts.
/// </summary>
public sealed class SlowRealDependencyTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private ServiceEnvironment? _environment;

    private RunningService _catalog = null!;
    private RunningService _payments = null!;
    private RunningService _inventory = null!;
    private RunningService _gateway = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server);
        _catalog = await _environment.StartServiceAsync<global::Catalog.CatalogOptions>("catalog");
        await _environment.StartServiceAsync<global::Orders.OrdersOptions>("orders");
        _payments = await _environment.StartServiceAsync<global::Payments.PaymentsOptions>("payments");
        _inventory = await _environment.StartServiceAsync<global::Inventory.InventoryOptions>("inventory");
        _gateway = await _environment.StartServiceAsync<global::Gateway.GatewayOptions>("gateway", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?>
            {
                ["Gateway:Payments:AttemptTimeout"] = "00:00:00.300",
                ["Gateway:Payments:MaxRetryAttempts"] = "1",
                ["Gateway:Payments:BreakerMinimumThroughput"] = "4",
                ["Gateway:Payments:BreakerFailureRatio"] = "1.0",
                ["Gateway:Payments:BreakerBreakDuration"] = "00:05:00",
            },
            Faults = FaultOptions.Parse("seed=1,invokeDelay=10m,invokeDelayApps=payments"),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }

    [Fact]
    public async Task GetOrder_RealPaymentsSlowedInTheGatewaySidecar_PartialAnswersNamePaymentThenTheCircuitOpens()
    {
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..12];
        var customer = "customer-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.Created, (await _catalog.Http.PostAsJsonAsync("/products", new { sku, name = "Slow mug", category = "kitchen", price = 8.00m, currency = "EUR" }, Token)).StatusCode);
        Assert.True((await _inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = 10, restockId = Guid.NewGuid().ToString("N") }, Token)).IsSuccessStatusCode);
        var orderIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var orderId = await PlaceOrderAsync(customer, sku);
            Assert.Equal(HttpStatusCode.Created, (await _inventory.Http.PostAsJsonAsync("/reservations", new { orderId, lines = new[] { new { sku, quantity = 1 } } }, Token)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await _payments.Http.PostAsJsonAsync("/payments", new { orderId, customerId = customer, amount = 8.00m, currency = "EUR" }, Token)).StatusCode);
            orderIds.Add(orderId);
        }

        // Two reads of two timed-out attempts each, then the breaker (four failures of four) answers for payments.
        var reasons = new List<string>();
        foreach (var orderId in orderIds.Concat(orderIds.Take(1)))
        {
            var response = await _gateway.Http.GetAsync($"/api/orders/{orderId}", Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
            Assert.False(body.GetProperty("complete").GetBoolean());
            Assert.Equal(orderId, body.GetProperty("order").GetProperty("orderId").GetString());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("payment").ValueKind);
            Assert.Equal("Reserved", body.GetProperty("stock").GetProperty("status").GetString());
            Assert.Equal("Slow mug", Assert.Single(body.GetProperty("products").EnumerateArray()).GetProperty("name").GetString());
            var missing = Assert.Single(body.GetProperty("missing").EnumerateArray());
            Assert.Equal("payment", missing.GetProperty("part").GetString());
            reasons.Add(missing.GetProperty("reason").GetString()!);
        }

        Assert.Equal(["timeout", "timeout", "circuit-open", "circuit-open"], reasons);

        // Payments itself was healthy all along: asked directly, it has the charge the gateway could not fetch.
        Assert.Equal(HttpStatusCode.OK, (await _payments.Http.GetAsync($"/payments/{orderIds[0]}", Token)).StatusCode);
    }

    /// <summary>Orders answers 422 until its price replica has the product (catalog's event arrives asynchronously).</summary>
    private async Task<string> PlaceOrderAsync(string customerId, string sku)
    {
        var key = Guid.NewGuid().ToString();
        var body = new { customerId, lines = new[] { new { sku, quantity = 1 } } };
        var response = await Eventually.MatchAsync(
            () => _gateway.Http.SendAsync(GatewayFixture.PlaceOrderRequest(key, body), Token),
            r => r.StatusCode != HttpStatusCode.UnprocessableEntity,
            Patience,
            "orders knows the product's price");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("orderId").GetString()!;
    }
}
