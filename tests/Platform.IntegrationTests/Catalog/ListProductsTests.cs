using System.Net;
using System.Net.Http.Json;
using Catalog.Products;

namespace Platform.IntegrationTests.CatalogService;

public sealed class ListProductsTests(CatalogFixture catalog) : IClassFixture<CatalogFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListProducts_ByCategory_OnlyThatCategorySortedBySku()
    {
        var category = CatalogFixture.NewCategory();
        var skus = new[] { "C-" + Guid.NewGuid().ToString("N")[..8], "A-" + Guid.NewGuid().ToString("N")[..8], "B-" + Guid.NewGuid().ToString("N")[..8] };
        foreach (var sku in skus)
        {
            await catalog.CreateAsync(sku, category: category);
        }

        await catalog.CreateAsync(CatalogFixture.NewSku(), category: CatalogFixture.NewCategory());

        var page = await ListAsync($"category={category}");

        Assert.Equal(skus.Order(StringComparer.Ordinal), page.Items.Select(i => i.Sku));
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task ListProducts_ActiveAndCurrency_EqualityFiltersCombine()
    {
        var category = CatalogFixture.NewCategory();
        var activeEur = await catalog.CreateAsync(CatalogFixture.NewSku(), category: category, active: true);
        await catalog.CreateAsync(CatalogFixture.NewSku(), category: category, active: false);
        await catalog.CreateAsync(CatalogFixture.NewSku(), 1500m, category: category, active: true, currency: "JPY");

        var page = await ListAsync($"category={category}&active=true&currency=EUR");

        Assert.Equal([activeEur.Sku], page.Items.Select(i => i.Sku));
    }

    [Fact]
    public async Task ListProducts_PriceRange_InclusiveBounds()
    {
        var category = CatalogFixture.NewCategory();
        var prices = new[] { 5m, 10m, 15m, 20m, 25m };
        var created = new List<ProductResponse>();
        foreach (var price in prices)
        {
            created.Add(await catalog.CreateAsync(CatalogFixture.NewSku(), price, category));
        }

        var page = await ListAsync($"category={category}&minPrice=10&maxPrice=20");

        Assert.Equal([10m, 15m, 20m], page.Items.Select(i => i.Price).Order());
    }

    [Fact]
    public async Task ListProducts_PagingByTwo_VisitsEveryProductOnceInSkuOrder()
    {
        var category = CatalogFixture.NewCategory();
        var skus = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            skus.Add((await catalog.CreateAsync(CatalogFixture.NewSku(), category: category)).Sku);
        }

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await ListAsync($"category={category}&pageSize=2" + (token is null ? "" : $"&continuationToken={token}"));
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(i => i.Sku));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(skus.Order(StringComparer.Ordinal), seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ListProducts_PriceRangeWithPaging_ContinuesInsideStorePages()
    {
        var category = CatalogFixture.NewCategory();
        var expected = new List<string>();
        for (var i = 1; i <= 9; i++)
        {
            var product = await catalog.CreateAsync(CatalogFixture.NewSku(), i % 2 == 0 ? 50m : 5m, category);
            if (product.Price == 50m)
            {
                expected.Add(product.Sku);
            }
        }

        var seen = new List<string>();
        string? token = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await ListAsync($"category={category}&minPrice=40&pageSize=1" + (token is null ? "" : $"&continuationToken={token}"));
            seen.AddRange(page.Items.Select(i => i.Sku));
            token = page.ContinuationToken;
            if (token is null)
            {
                break;
            }
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task ListProducts_AfterUpdateAndPriceChange_ShowsTheLatestVersion()
    {
        var from = CatalogFixture.NewCategory();
        var to = CatalogFixture.NewCategory();
        var sku = (await catalog.CreateAsync(CatalogFixture.NewSku(), 10m, from)).Sku;
        await catalog.Http.PutAsJsonAsync($"/products/{sku}", new { name = "Moved", description = "", category = to, active = true }, Cancel);
        await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 11m, currency = "EUR" }, Cancel);

        var old = await ListAsync($"category={from}");
        var current = await ListAsync($"category={to}");

        Assert.Empty(old.Items);
        var item = Assert.Single(current.Items);
        Assert.Equal(("Moved", 11m, 3L), (item.Name, item.Price, item.Version));
    }

    [Fact]
    public async Task ListProducts_NothingMatches_EmptyPageWithoutToken()
    {
        var page = await ListAsync($"category={CatalogFixture.NewCategory()}");

        Assert.Empty(page.Items);
        Assert.Null(page.ContinuationToken);
    }

    private async Task<ProductPage> ListAsync(string query)
    {
        var response = await catalog.Http.GetAsync("/products?" + query, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProductPage>(Cancel))!;
    }
}
