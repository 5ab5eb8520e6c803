using System.Net;
using System.Text.Json;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>GET /api/orders/{id} against the real orders, catalog, payments and inventory.</summary>
[Collection(GatewayWorld.Name)]
public sealed class OrderCompositionTests(GatewayFixture fixture)
{
    [Fact]
    public async Task GetOrder_AllDependenciesAnswer_ComposesEveryPartWithNothingMissing()
    {
        var (mug, pot) = (GatewayFixture.NewSku(), GatewayFixture.NewSku());
        await fixture.CreateProductAsync(mug, 12.50m, name: "Espresso mug", category: "kitchen");
        await fixture.CreateProductAsync(pot, 30.00m, name: "Tea pot", category: "tea");
        await fixture.RestockAsync(mug, 10);
        await fixture.RestockAsync(pot, 10);
        var customer = GatewayFixture.NewCustomer();
        var (_, placed) = await fixture.PlaceOrderAsync(customer, GatewayFixture.NewKey(), (mug, 2), (pot, 1));
        var orderId = placed.GetProperty("orderId").GetString()!;
        await fixture.ReserveAsync(orderId, (mug, 2), (pot, 1));
        await fixture.ChargeAsync(orderId, customer, 55.00m);

        var (status, composed) = await fixture.GetComposedAsync(orderId);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(composed.GetProperty("missing").EnumerateArray());
        Assert.True(composed.GetProperty("complete").GetBoolean());
        var order = composed.GetProperty("order");
        Assert.Equal(orderId, order.GetProperty("orderId").GetString());
        Assert.Equal(customer, order.GetProperty("customerId").GetString());
        Assert.Equal(55.00m, order.GetProperty("total").GetDecimal());
        Assert.Equal(2, order.GetProperty("lines").GetArrayLength());
        var payment = composed.GetProperty("payment");
        Assert.Equal("Succeeded", payment.GetProperty("status").GetString());
        Assert.Equal(55.00m, payment.GetProperty("amount").GetDecimal());
        var stock = composed.GetProperty("stock");
        Assert.Equal("Reserved", stock.GetProperty("status").GetString());
        Assert.Equal(2, stock.GetProperty("lines").GetArrayLength());
        var products = composed.GetProperty("products").EnumerateArray().ToDictionary(p => p.GetProperty("sku").GetString()!);
        Assert.Equal(2, products.Count);
        Assert.Equal("Espresso mug", products[mug].GetProperty("name").GetString());
        Assert.Equal("kitchen", products[mug].GetProperty("category").GetString());
        Assert.Equal(12.50m, products[mug].GetProperty("price").GetDecimal());
        Assert.Equal("Tea pot", products[pot].GetProperty("name").GetString());
        Assert.Equal("tea", products[pot].GetProperty("category").GetString());
    }

    [Fact]
    public async Task GetOrder_NoPaymentOrReservationYet_AnswersNullPartsThatAreNotMissing()
    {
        var sku = GatewayFixture.NewSku();
        await fixture.CreateProductAsync(sku, 5.00m);
        var (_, placed) = await fixture.PlaceOrderAsync(GatewayFixture.NewCustomer(), GatewayFixture.NewKey(), (sku, 1));

        var (status, composed) = await fixture.GetComposedAsync(placed.GetProperty("orderId").GetString()!);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Null, composed.GetProperty("payment").ValueKind);
        Assert.Equal(JsonValueKind.Null, composed.GetProperty("stock").ValueKind);
        Assert.Empty(composed.GetProperty("missing").EnumerateArray());
        Assert.Equal(sku, Assert.Single(composed.GetProperty("products").EnumerateArray()).GetProperty("sku").GetString());
    }

    [Theory]
    [InlineData("6f1c2b8e-0d7a-4e55-9c1e-2f3a4b5c6d7e")]
    [InlineData("not-an-order-id")]
    public async Task GetOrder_UnknownOrder_Returns404Problem(string orderId)
    {
        var response = await fixture.Gateway.Http.GetAsync($"/api/orders/{orderId}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
