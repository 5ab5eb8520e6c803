using Catalog;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Catalog.Products;

namespace Platform.IntegrationTests.CatalogService;

public sealed class ChangePriceTests(CatalogFixture catalog) : IClassFixture<CatalogFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChangePrice_NewPrice_NewVersionAndPriceChangedEventWithPreviousPrice()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku, 10.00m);

        var response = await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 12.99m, currency = "EUR" }, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        var changed = await response.Content.ReadFromJsonAsync<ProductResponse>(Cancel);
        Assert.Equal((12.99m, 2L), (changed!.Price, changed.Version));
        var events = await catalog.WaitForEventsAsync(sku, 2);
        var priceChanged = Assert.Single(events, e => e.GetProperty("type").GetString() == "ProductPriceChanged").GetProperty("data");
        Assert.Equal((12.99m, 10.00m, 2L), (priceChanged.GetProperty("price").GetDecimal(), priceChanged.GetProperty("previousPrice").GetDecimal(), priceChanged.GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task ChangePrice_SamePriceAgain_NoNewVersionAndNoEvent()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku, 10.00m);

        var same = await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 10.0m, currency = "EUR" }, Cancel);
        var other = await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 11m, currency = "EUR" }, Cancel);

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(1L, (await same.Content.ReadFromJsonAsync<ProductResponse>(Cancel))!.Version);
        Assert.Equal(2L, (await other.Content.ReadFromJsonAsync<ProductResponse>(Cancel))!.Version);
        var events = await catalog.WaitForEventsAsync(sku, 2);
        Assert.Equal(["ProductCreated", "ProductPriceChanged"], events.Select(e => e.GetProperty("type").GetString()).Order());
    }

    [Fact]
    public async Task ChangePrice_StaleIfMatch_Returns412AndKeepsPrice()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku, 10.00m);
        var (_, stale) = await catalog.GetAsync(sku);
        await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 20m, currency = "EUR" }, Cancel);
        var request = new HttpRequestMessage(HttpMethod.Put, $"/products/{sku}/price") { Content = JsonContent.Create(new { price = 30m, currency = "EUR" }) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(stale!));

        var response = await catalog.Http.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal((20m, 2L), ((await catalog.GetAsync(sku)).Product!.Price, (await catalog.GetAsync(sku)).Product!.Version));
    }

    [Fact]
    public async Task ChangePrice_TenConcurrentChanges_AllAppliedAsOneChainOfPreviousPrices()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku, 100m);
        var prices = Enumerable.Range(1, 10).Select(i => 100m + i).ToList();

        var responses = await Task.WhenAll(prices.Select(p => catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = p, currency = "EUR" }, Cancel)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var (read, _) = await catalog.GetAsync(sku);
        Assert.Equal(11L, read!.Version);
        var events = await catalog.WaitForEventsAsync(sku, 11);
        var changes = events.Where(e => e.GetProperty("type").GetString() == "ProductPriceChanged")
            .Select(e => e.GetProperty("data"))
            .OrderBy(d => d.GetProperty("version").GetInt64())
            .Select(d => (Previous: d.GetProperty("previousPrice").GetDecimal(), Price: d.GetProperty("price").GetDecimal()))
            .ToList();
        Assert.Equal(10, changes.Count);
        // Each change starts from the price the one before it set: no update was lost or based on a stale read.
        Assert.Equal(100m, changes[0].Previous);
        Assert.All(changes.Zip(changes.Skip(1)), pair => Assert.Equal(pair.First.Price, pair.Second.Previous));
        Assert.Equal(prices, changes.Select(c => c.Price).Order());
        Assert.Equal(changes[^1].Price, read.Price);
    }

    [Fact]
    public async Task ChangePrice_ConcurrentChangesOnTwoReplicas_ETagConflictsRetriedIntoOneChain()
    {
        // A second catalog replica beside the fixture's: writes of one product meet only through the store's ETag.
        await using var replica = await catalog.Environment.StartServiceAsync<CatalogOptions>(DaprNames.AppId);
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku, 100m);
        var prices = Enumerable.Range(1, 6).Select(i => 100m + i).ToList();

        var responses = await Task.WhenAll(prices.Select((p, i) => (i % 2 == 0 ? catalog.Http : replica.Http)
            .PutAsJsonAsync($"/products/{sku}/price", new { price = p, currency = "EUR" }, Cancel)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var (read, _) = await catalog.GetAsync(sku);
        Assert.Equal(7L, read!.Version);
        var changes = (await catalog.WaitForEventsAsync(sku, 7))
            .Where(e => e.GetProperty("type").GetString() == "ProductPriceChanged")
            .Select(e => e.GetProperty("data"))
            .OrderBy(d => d.GetProperty("version").GetInt64())
            .Select(d => (Previous: d.GetProperty("previousPrice").GetDecimal(), Price: d.GetProperty("price").GetDecimal()))
            .ToList();
        Assert.Equal(100m, changes[0].Previous);
        Assert.All(changes.Zip(changes.Skip(1)), pair => Assert.Equal(pair.First.Price, pair.Second.Previous));
        Assert.Equal(prices, changes.Select(c => c.Price).Order());
    }
}
