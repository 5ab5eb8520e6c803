using System.Net;
using System.Net.Http.Json;
using Catalog.Products;
using Microsoft.AspNetCore.Mvc;

namespace Platform.IntegrationTests.CatalogService;

public sealed class CreateProductTests(CatalogFixture catalog) : IClassFixture<CatalogFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateProduct_ValidRequest_Returns201WithLocationETagAndVersion1()
    {
        var sku = CatalogFixture.NewSku();

        var response = await catalog.Http.PostAsJsonAsync("/products", CatalogFixture.NewProduct(sku, 12.50m, active: false), Cancel);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/products/{sku}", response.Headers.Location?.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag.IsWeak);
        var created = await response.Content.ReadFromJsonAsync<ProductResponse>(Cancel);
        Assert.Equal((sku, "Mug", "kitchen", 12.50m, "EUR", false, 1L), (created!.Sku, created.Name, created.Category, created.Price, created.Currency, created.Active, created.Version));
        var (read, etag) = await catalog.GetAsync(sku);
        Assert.Equal(created, read);
        Assert.Equal(response.Headers.ETag.Tag, etag);
    }

    [Fact]
    public async Task CreateProduct_ActiveAndDescriptionOmitted_DefaultsToActiveWithoutDescription()
    {
        var sku = CatalogFixture.NewSku();

        // The optional properties are absent from the JSON, not null.
        var response = await catalog.Http.PostAsJsonAsync("/products", new { sku, name = "Mug", category = "kitchen", price = 10.00m, currency = "EUR" }, Cancel);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<ProductResponse>(Cancel))!;
        Assert.True(created.Active);
        Assert.Equal("", created.Description);
    }

    [Fact]
    public async Task CreateProduct_ExistingSku_Returns409ProblemAndKeepsTheFirst()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku, 10m);

        var response = await catalog.Http.PostAsJsonAsync("/products", CatalogFixture.NewProduct(sku, 99m), Cancel);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(409, (await response.Content.ReadFromJsonAsync<ProblemDetails>(Cancel))?.Status);
        var (read, _) = await catalog.GetAsync(sku);
        Assert.Equal((10m, 1L), (read!.Price, read.Version));
    }

    [Fact]
    public async Task CreateProduct_TenConcurrentCreatesOfOneSku_ExactlyOneProductAndOneEvent()
    {
        var sku = CatalogFixture.NewSku();

        var responses = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            catalog.Http.PostAsJsonAsync("/products", CatalogFixture.NewProduct(sku, i), Cancel)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.Created).Content.ReadFromJsonAsync<ProductResponse>(Cancel);
        var (read, _) = await catalog.GetAsync(sku);
        Assert.Equal(winner, read);
        var events = await catalog.WaitForEventsAsync(sku, 1);
        Assert.Equal(winner!.Price, Assert.Single(events).GetProperty("data").GetProperty("price").GetDecimal());
    }
}
