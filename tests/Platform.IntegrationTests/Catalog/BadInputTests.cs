using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace Platform.IntegrationTests.CatalogService;

/// <summary>Bad input on every endpoint is answered with problem details and writes nothing.</summary>
public sealed class BadInputTests(CatalogFixture catalog) : IClassFixture<CatalogFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> BadCreateBodies =>
    [
        """{"name":"Mug","category":"k","price":1,"currency":"EUR"}""",                          // missing sku
        """{"sku":"{sku}","category":"k","price":1,"currency":"EUR"}""",                         // missing name
        """{"sku":"{sku}","name":"   ","category":"k","price":1,"currency":"EUR"}""",            // blank name
        """{"sku":"{sku}","name":"Mug","category":"","price":1,"currency":"EUR"}""",             // blank category
        """{"sku":"{sku}","name":null,"category":"k","price":1,"currency":"EUR"}""",             // null name
        """{"sku":"{sku}","name":"Mug","category":"k","currency":"EUR"}""",                      // missing price
        """{"sku":"{sku}","name":"Mug","category":"k","price":0,"currency":"EUR"}""",            // zero price
        """{"sku":"{sku}","name":"Mug","category":"k","price":-5,"currency":"EUR"}""",           // negative price
        """{"sku":"{sku}","name":"Mug","category":"k","price":1.999,"currency":"EUR"}""",        // sub-cent
        """{"sku":"{sku}","name":"Mug","category":"k","price":100.5,"currency":"JPY"}""",        // JPY has no decimals
        """{"sku":"{sku}","name":"Mug","category":"k","price":1,"currency":"CHF"}""",            // unknown currency
        """{"sku":"{sku}","name":"Mug","category":"k","price":1,"currency":"eur"}""",            // not the ISO code
        """{"sku":"{sku}","name":"Mug","category":"k","price":1}""",                             // missing currency
        """{"sku":"{sku}","name":"Mug","category":"k","price":"cheap","currency":"EUR"}""",      // price not a number
        """{"sku":"{sku}","name":"Mug","category":"k","price":1,"currency":"EUR",""",            // malformed JSON
    ];

    [Theory]
    [MemberData(nameof(BadCreateBodies))]
    public async Task CreateProduct_BadBody_Returns400ProblemAndWritesNothing(string body)
    {
        var sku = CatalogFixture.NewSku();

        var response = await catalog.Http.PostAsync("/products", Json(body.Replace("{sku}", sku, StringComparison.Ordinal)), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Null((await catalog.GetAsync(sku)).Product);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("-leading-dash")]
    [InlineData("a||b")]
    public async Task CreateProduct_InvalidSku_Returns400Problem(string sku)
    {
        var response = await catalog.Http.PostAsJsonAsync("/products", CatalogFixture.NewProduct(sku), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateProduct_OversizedBody_Returns413ProblemAndWritesNothing()
    {
        var sku = CatalogFixture.NewSku();
        var body = $$"""{"sku":"{{sku}}","name":"Mug","description":"{{new string('x', 70_000)}}","category":"k","price":1,"currency":"EUR"}""";

        var response = await catalog.Http.PostAsync("/products", Json(body), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Null((await catalog.GetAsync(sku)).Product);
    }

    public static TheoryData<string> BadUpdateBodies =>
    [
        """{"name":"","description":"","category":"k","active":true}""",
        """{"name":"N","description":"","category":"  ","active":true}""",
        """{"name":"N","description":"","category":"k"}""",
        """{"name":"N","description":"","category":"k","active":"yes"}""",
        """{"name":"N",""",
    ];

    [Theory]
    [MemberData(nameof(BadUpdateBodies))]
    public async Task UpdateProduct_BadBody_Returns400ProblemAndWritesNothing(string body)
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);

        var response = await catalog.Http.PutAsync($"/products/{sku}", Json(body), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(1L, (await catalog.GetAsync(sku)).Product!.Version);
    }

    public static TheoryData<string> BadPriceBodies =>
    [
        """{"price":0,"currency":"EUR"}""",
        """{"price":-1,"currency":"EUR"}""",
        """{"price":5,"currency":"XYZ"}""",
        """{"price":5}""",
        """{"currency":"EUR"}""",
        """not json""",
    ];

    [Theory]
    [MemberData(nameof(BadPriceBodies))]
    public async Task ChangePrice_BadBody_Returns400ProblemAndWritesNothing(string body)
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);

        var response = await catalog.Http.PutAsync($"/products/{sku}/price", Json(body), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(1L, (await catalog.GetAsync(sku)).Product!.Version);
    }

    [Theory]
    [InlineData("GET", "/products/{sku}", null)]
    [InlineData("PUT", "/products/{sku}", """{"name":"N","description":"","category":"k","active":true}""")]
    [InlineData("PUT", "/products/{sku}/price", """{"price":5,"currency":"EUR"}""")]
    public async Task UnknownSku_Returns404Problem(string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{sku}", CatalogFixture.NewSku(), StringComparison.Ordinal))
        {
            Content = body is null ? null : Json(body),
        };

        var response = await catalog.Http.SendAsync(request, Cancel);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=101")]
    [InlineData("pageSize=ten")]
    [InlineData("active=maybe")]
    [InlineData("minPrice=20&maxPrice=10")]
    [InlineData("minPrice=-1")]
    [InlineData("currency=CHF")]
    [InlineData("category=%20")]
    [InlineData("continuationToken=not-ours")]
    public async Task ListProducts_BadQuery_Returns400Problem(string query)
    {
        var response = await catalog.Http.GetAsync("/products?" + query, Cancel);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(Cancel);
        Assert.Equal((int)status, problem?.Status);
    }
}
