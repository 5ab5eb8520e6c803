using System.Net;
using System.Text.Json;
using Platform.Testing;

namespace Platform.IntegrationTests.GatewayTests;

/// <summary>Catalog data in gateway-cache: a miss asks catalog and stores with a TTL, a hit does not ask, an expired entry is asked again.</summary>
[Collection(GatewayWorld.Name)]
public sealed class ProductCacheTests(GatewayFixture fixture)
{
    [Fact]
    public async Task GetOrder_ProductNotCached_ReadsCatalogAndCachesItWithTheTtl()
    {
        var sku = GatewayFixture.NewSku();
        await fixture.CreateProductAsync(sku, 7.00m, name: "Milk jug");
        var (_, placed) = await fixture.PlaceOrderAsync(GatewayFixture.NewCustomer(), GatewayFixture.NewKey(), (sku, 1));
        var redisKey = $"gateway||product:{sku}";
        Assert.False(await fixture.Environment.Redis.Database.KeyExistsAsync(redisKey));

        var (status, composed) = await fixture.GetComposedAsync(placed.GetProperty("orderId").GetString()!);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Milk jug", Product(composed, sku).GetProperty("name").GetString());
        var ttl = await fixture.Environment.Redis.Database.KeyTimeToLiveAsync(redisKey);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), GatewayFixture.CacheTtl);
        var cached = await fixture.Gateway.Dapr.GetStateAsync<JsonElement>("gateway-cache", $"product:{sku}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(7.00m, cached.GetProperty("price").GetDecimal());
    }

    [Fact]
    public async Task GetOrder_ProductCachedThenPriceChanged_ServesCachedPriceUntilExpiryThenTheNewOne()
    {
        var sku = GatewayFixture.NewSku();
        await fixture.CreateProductAsync(sku, 10.00m);
        var (_, placed) = await fixture.PlaceOrderAsync(GatewayFixture.NewCustomer(), GatewayFixture.NewKey(), (sku, 1));
        var orderId = placed.GetProperty("orderId").GetString()!;
        var (_, first) = await fixture.GetComposedAsync(orderId);
        Assert.Equal(10.00m, Product(first, sku).GetProperty("price").GetDecimal());

        await fixture.ChangePriceAsync(sku, 11.00m);
        var (_, hit) = await fixture.GetComposedAsync(orderId);

        // A hit: catalog already says 11.00, the cache still says 10.00.
        Assert.Equal(10.00m, Product(hit, sku).GetProperty("price").GetDecimal());

        // Expiry: once the entry's TTL has passed, the next read asks catalog again.
        var started = DateTime.UtcNow;
        var (_, fresh) = await Eventually.MatchAsync(
            () => fixture.GetComposedAsync(orderId),
            r => Product(r.Body, sku).GetProperty("price").GetDecimal() == 11.00m,
            GatewayFixture.CacheTtl * 3,
            "the cached product expires and catalog's new price shows");
        Assert.Equal(11.00m, Product(fresh, sku).GetProperty("price").GetDecimal());
        Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(1), "the new price showed before the entry could have expired");
    }

    private static JsonElement Product(JsonElement composed, string sku) =>
        composed.GetProperty("products").EnumerateArray().Single(p => p.GetProperty("sku").GetString() == sku);
}
