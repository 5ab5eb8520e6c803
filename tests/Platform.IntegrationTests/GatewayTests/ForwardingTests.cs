using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>What the gateway relays as it is: POST /api/orders to orders, list and search to the read model.</summary>
[Collection(GatewayWorld.Name)]
public sealed class ForwardingTests(GatewayFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PlaceOrder_SameIdempotencyKeyTwice_RelaysOrdersReplayWithPublicLocation()
    {
        var sku = GatewayFixture.NewSku();
        await fixture.CreateProductAsync(sku, 4.00m);
        var (customer, key) = (GatewayFixture.NewCustomer(), GatewayFixture.NewKey());
        var (first, firstOrder) = await fixture.PlaceOrderAsync(customer, key, (sku, 3));
        var orderId = firstOrder.GetProperty("orderId").GetString()!;

        var again = await fixture.Gateway.Http.SendAsync(
            GatewayFixture.PlaceOrderRequest(key, new { customerId = customer, lines = new[] { new { sku, quantity = 3 } } }), Token);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal($"/api/orders/{orderId}", first.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", first.Headers.ETag?.Tag);
        Assert.False(first.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(12.00m, firstOrder.GetProperty("total").GetDecimal());
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", Assert.Single(again.Headers.GetValues("Idempotency-Replayed")));
        Assert.Equal($"/api/orders/{orderId}", again.Headers.Location?.OriginalString);
        Assert.Equal(orderId, (await again.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task PlaceOrder_SameKeyDifferentBody_RelaysOrders422Problem()
    {
        var sku = GatewayFixture.NewSku();
        await fixture.CreateProductAsync(sku, 4.00m);
        var (customer, key) = (GatewayFixture.NewCustomer(), GatewayFixture.NewKey());
        await fixture.PlaceOrderAsync(customer, key, (sku, 1));

        var reused = await fixture.Gateway.Http.SendAsync(
            GatewayFixture.PlaceOrderRequest(key, new { customerId = customer, lines = new[] { new { sku, quantity = 2 } } }), Token);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Idempotency key reused", (await reused.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task PlaceOrder_NoIdempotencyKey_RelaysOrders400Problem()
    {
        var response = await fixture.Gateway.Http.SendAsync(
            GatewayFixture.PlaceOrderRequest(null, new { customerId = GatewayFixture.NewCustomer(), lines = new[] { new { sku = "SKU-1", quantity = 1 } } }), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Idempotency key required", (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task ListOrders_CustomerAndFilters_AsksTheReadModelAndRelaysItsAnswer()
    {
        var customer = GatewayFixture.NewCustomer();

        var response = await fixture.Gateway.Http.GetAsync($"/api/orders?customer={customer}&status=Placed&pageSize=5&page=2", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal(customer, body.GetProperty("customerId").GetString());
        Assert.Equal("?status=Placed&pageSize=5&page=2", body.GetProperty("query").GetString());
        Assert.Single(fixture.OrderQuery.Recorder.To($"/customers/{customer}/orders"));
    }

    [Fact]
    public async Task ListOrders_NoCustomer_Returns400WithoutAskingTheReadModel()
    {
        var before = fixture.OrderQuery.Recorder.Requests.Count;

        var response = await fixture.Gateway.Http.GetAsync("/api/orders?status=Placed", Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, fixture.OrderQuery.Recorder.Requests.Count);
    }

    [Fact]
    public async Task ListOrders_ReadModelFails_Returns503Problem()
    {
        var response = await fixture.Gateway.Http.GetAsync($"/api/orders?customer={GatewayFixture.FailingCustomer}", Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal("order-query", problem.GetProperty("dependency").GetString());
    }

    [Fact]
    public async Task SearchProducts_Filters_AsksTheReadModelWithTheSameFilters()
    {
        var term = "mug" + Guid.NewGuid().ToString("N")[..6];

        var response = await fixture.Gateway.Http.GetAsync($"/api/products/search?q={term}&category=kitchen&minPrice=2.5&maxPrice=20", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal($"?q={term}&category=kitchen&minPrice=2.5&maxPrice=20", body.GetProperty("query").GetString());
        Assert.Equal("SKU-1", body.GetProperty("items")[0].GetProperty("sku").GetString());
    }

    [Fact]
    public async Task OpenApi_Document_ListsThePublicEndpoints()
    {
        var document = await fixture.Gateway.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Token);

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/orders", paths);
        Assert.Contains("/api/orders/{orderId}", paths);
        Assert.Contains("/api/products/search", paths);
    }
}
