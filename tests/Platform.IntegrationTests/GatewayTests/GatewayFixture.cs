using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.GatewayTests;

[CollectionDefinition(Name)]
public sealed class GatewayWorld : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway with every service";
}

/// <summary>
/// One environment for the gateway's happy paths: catalog, orders, payments, inventory and the gateway as they
/// run in production, plus a stand-in for order-query (built in parallel elsewhere) that records what it is asked
/// and answers a canned page. Tests isolate by fresh SKUs, customers and idempotency keys.
/// </summary>
public sealed class GatewayFixture(PostgresFixture postgres) : IAsyncLifetime
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>The order-query stand-in answers 500 for this customer: the read model failing.</summary>
    public const string FailingCustomer = "customer-readmodel-down";

    private ServiceEnvironment? _environment;

    public ServiceEnvironment Environment => _environment ?? throw new InvalidOperationException("not started");

    public RunningService Catalog { get; private set; } = null!;

    public RunningService Orders { get; private set; } = null!;

    public RunningService Payments { get; private set; } = null!;

    public RunningService Inventory { get; private set; } = null!;

    public RunningService Gateway { get; private set; } = null!;

    public StandIn OrderQuery { get; private set; } = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server);
        Catalog = await Environment.StartServiceAsync<global::Catalog.CatalogOptions>("catalog");
        Orders = await Environment.StartServiceAsync<global::Orders.OrdersOptions>("orders");
        Payments = await Environment.StartServiceAsync<global::Payments.PaymentsOptions>("payments");
        Inventory = await Environment.StartServiceAsync<global::Inventory.InventoryOptions>("inventory");
        OrderQuery = await StandIn.StartAsync(Environment, "order-query", MapOrderQuery);
        Gateway = await Environment.StartServiceAsync<global::Gateway.GatewayOptions>("gateway", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?> { ["Gateway:ProductCacheTtl"] = CacheTtl.ToString() },
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await OrderQuery.DisposeAsync();
            await _environment.DisposeAsync();
        }
    }

    public static string NewSku() => "SKU-" + Guid.NewGuid().ToString("N")[..12];

    public static string NewCustomer() => "customer-" + Guid.NewGuid().ToString("N")[..12];

    public static string NewKey() => Guid.NewGuid().ToString();

    public async Task CreateProductAsync(string sku, decimal price, string name = "Espresso mug", string category = "kitchen")
    {
        var response = await Catalog.Http.PostAsJsonAsync("/products", new { sku, name, category, price, currency = "EUR" }, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task ChangePriceAsync(string sku, decimal price)
    {
        var response = await Catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price, currency = "EUR" }, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static HttpRequestMessage PlaceOrderRequest(string? key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return request;
    }

    /// <summary>
    /// Places an order through the gateway once orders' price replica knows every SKU (catalog's events reach it
    /// asynchronously; until then orders answers 422 and stores nothing, so the same key may be sent again).
    /// </summary>
    public async Task<(HttpResponseMessage Response, JsonElement Order)> PlaceOrderAsync(string customerId, string key, params (string Sku, int Quantity)[] lines)
    {
        var body = new { customerId, lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }) };
        var response = await Eventually.MatchAsync(
            () => Gateway.Http.SendAsync(PlaceOrderRequest(key, body), Token),
            r => r.StatusCode != HttpStatusCode.UnprocessableEntity,
            Patience,
            "orders knows the products' prices");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (response, await response.Content.ReadFromJsonAsync<JsonElement>(Token));
    }

    public async Task RestockAsync(string sku, int quantity)
    {
        var response = await Inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity, restockId = Guid.NewGuid().ToString("N") }, Token);
        Assert.True(response.IsSuccessStatusCode, $"restock: {response.StatusCode}");
    }

    public async Task ReserveAsync(string orderId, params (string Sku, int Quantity)[] lines)
    {
        var response = await Inventory.Http.PostAsJsonAsync("/reservations", new { orderId, lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }) }, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task ChargeAsync(string orderId, string customerId, decimal amount)
    {
        var response = await Payments.Http.PostAsJsonAsync("/payments", new { orderId, customerId, amount, currency = "EUR" }, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetComposedAsync(string orderId)
    {
        var response = await Gateway.Http.GetAsync($"/api/orders/{orderId}", Token);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Token));
    }

    private static void MapOrderQuery(WebApplication app)
    {
        app.MapGet("/customers/{customerId}/orders", (string customerId, HttpRequest request) => customerId == FailingCustomer
            ? Results.Problem("read model broken", statusCode: StatusCodes.Status500InternalServerError)
            : Results.Json(new { customerId, query = request.QueryString.Value, items = new[] { new { orderId = "o-1", status = "Placed" } } }));
        app.MapGet("/products/search", (HttpRequest request) => Results.Json(new { query = request.QueryString.Value, items = new[] { new { sku = "SKU-1", name = "Mug" } } }));
    }
}
