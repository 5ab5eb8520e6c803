using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Catalog.Products;

namespace Platform.IntegrationTests.CatalogService;

public sealed class UpdateProductTests(CatalogFixture catalog) : IClassFixture<CatalogFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static object Details(string name, string category = "kitchen", bool active = true) =>
        new { name, description = "A product", category, active };

    [Fact]
    public async Task UpdateProduct_WithoutIfMatch_AppliesAndReturnsNewVersionAndETag()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);
        var (_, before) = await catalog.GetAsync(sku);

        var response = await catalog.Http.PutAsJsonAsync($"/products/{sku}", Details("Big mug", "cups", active: false), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = await response.Content.ReadFromJsonAsync<ProductResponse>(Cancel);
        Assert.Equal(("Big mug", "cups", false, 2L, 10.00m), (updated!.Name, updated.Category, updated.Active, updated.Version, updated.Price));
        var (read, after) = await catalog.GetAsync(sku);
        Assert.Equal(updated, read);
        Assert.Equal(response.Headers.ETag?.Tag, after);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task UpdateProduct_CurrentIfMatch_Applies()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);
        var (_, etag) = await catalog.GetAsync(sku);

        var response = await PutAsync($"/products/{sku}", Details("Renamed"), etag!);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Renamed", (await catalog.GetAsync(sku)).Product!.Name);
    }

    [Fact]
    public async Task UpdateProduct_StaleIfMatch_Returns412AndWritesNothing()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);
        var (_, stale) = await catalog.GetAsync(sku);
        await catalog.Http.PutAsJsonAsync($"/products/{sku}", Details("First"), Cancel);

        var response = await PutAsync($"/products/{sku}", Details("Second"), stale!);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var (read, _) = await catalog.GetAsync(sku);
        Assert.Equal(("First", 2L), (read!.Name, read.Version));
        var events = await catalog.WaitForEventsAsync(sku, 2);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task UpdateProduct_SameDetails_NoNewVersionAndNoEvent()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);

        var same = await catalog.Http.PutAsJsonAsync($"/products/{sku}", Details("Mug"), Cancel);
        var changed = await catalog.Http.PutAsJsonAsync($"/products/{sku}", Details("Cup"), Cancel);

        Assert.Equal(1L, (await same.Content.ReadFromJsonAsync<ProductResponse>(Cancel))!.Version);
        Assert.Equal(2L, (await changed.Content.ReadFromJsonAsync<ProductResponse>(Cancel))!.Version);
        var events = await catalog.WaitForEventsAsync(sku, 2);
        Assert.Equal(["ProductCreated", "ProductUpdated"], events.Select(e => e.GetProperty("type").GetString()).Order());
    }

    [Fact]
    public async Task UpdateProduct_TenConcurrentRenames_AllAppliedInSomeOrder()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);
        var names = Enumerable.Range(1, 10).Select(i => $"Name {i}").ToList();

        var responses = await Task.WhenAll(names.Select(n => catalog.Http.PutAsJsonAsync($"/products/{sku}", Details(n), Cancel)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var versions = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<ProductResponse>(Cancel))!.Version));
        Assert.Equal(Enumerable.Range(2, 10).Select(v => (long)v), versions.Order());
        var (read, _) = await catalog.GetAsync(sku);
        Assert.Equal(11L, read!.Version);
        var events = await catalog.WaitForEventsAsync(sku, 11);
        var updates = events.Where(e => e.GetProperty("type").GetString() == "ProductUpdated").Select(e => e.GetProperty("data")).ToList();
        Assert.Equal(names.Order(), updates.Select(d => d.GetProperty("name").GetString()!).Order());
        Assert.Equal(read.Name, updates.Single(d => d.GetProperty("version").GetInt64() == 11).GetProperty("name").GetString());
    }

    private Task<HttpResponseMessage> PutAsync(string path, object body, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        return catalog.Http.SendAsync(request, Cancel);
    }
}
