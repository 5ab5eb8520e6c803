using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.IntegrationTests.CatalogService;

/// <summary>The outbox: every write publishes exactly one CloudEvent of the right type on topic "catalog", a failed write none.</summary>
public sealed class ProductEventsTests(CatalogFixture catalog) : IClassFixture<CatalogFixture>
{
    private static readonly string[] SnapshotFields = ["active", "category", "currency", "eventId", "name", "occurredAt", "price", "sku", "version"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_CreateUpdatePrice_OneCloudEventEachWithTheDocumentedJson()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku, 10.50m, "kitchen");
        await catalog.Http.PutAsJsonAsync($"/products/{sku}", new { name = "Cup", description = "d", category = "cups", active = false }, Cancel);
        await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 12m, currency = "USD" }, Cancel);

        var events = (await catalog.WaitForEventsAsync(sku, 3)).OrderBy(e => e.GetProperty("data").GetProperty("version").GetInt64()).ToList();

        Assert.Equal(3, events.Count);
        Assert.Equal(["ProductCreated", "ProductUpdated", "ProductPriceChanged"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal("application/json", e.GetProperty("datacontenttype").GetString());
            Assert.Equal("catalog", e.GetProperty("source").GetString());
            Assert.Equal("catalog", e.GetProperty("topic").GetString());
        });
        var (created, updated, priceChanged) = (events[0].GetProperty("data"), events[1].GetProperty("data"), events[2].GetProperty("data"));
        Assert.Equal(SnapshotFields, Fields(created));
        Assert.Equal(SnapshotFields, Fields(updated));
        Assert.Equal([.. SnapshotFields.Append("previousCurrency").Append("previousPrice").Order(StringComparer.Ordinal)], Fields(priceChanged));
        Assert.Equal((sku + ":1", 1L, "Mug", "kitchen", 10.50m, "EUR", true),
            (created.GetProperty("eventId").GetString(), created.GetProperty("version").GetInt64(), created.GetProperty("name").GetString(),
             created.GetProperty("category").GetString(), created.GetProperty("price").GetDecimal(), created.GetProperty("currency").GetString(),
             created.GetProperty("active").GetBoolean()));
        Assert.Equal((sku + ":2", "Cup", "cups", false), (updated.GetProperty("eventId").GetString(), updated.GetProperty("name").GetString(),
            updated.GetProperty("category").GetString(), updated.GetProperty("active").GetBoolean()));
        Assert.Equal((sku + ":3", 12m, "USD", 10.50m, "EUR"), (priceChanged.GetProperty("eventId").GetString(), priceChanged.GetProperty("price").GetDecimal(),
            priceChanged.GetProperty("currency").GetString(), priceChanged.GetProperty("previousPrice").GetDecimal(), priceChanged.GetProperty("previousCurrency").GetString()));
        Assert.True(created.GetProperty("occurredAt").TryGetDateTimeOffset(out _));
    }

    [Fact]
    public async Task Events_FailedWrites_PublishNothing()
    {
        var sku = CatalogFixture.NewSku();
        await catalog.CreateAsync(sku);
        var (_, stale) = await catalog.GetAsync(sku);
        await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 20m, currency = "EUR" }, Cancel);

        var duplicate = await catalog.Http.PostAsJsonAsync("/products", CatalogFixture.NewProduct(sku, 99m), Cancel);
        var invalid = await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = -1m, currency = "EUR" }, Cancel);
        var staleWrite = new HttpRequestMessage(HttpMethod.Put, $"/products/{sku}") { Content = JsonContent.Create(new { name = "Stale", description = "", category = "x", active = true }) };
        staleWrite.Headers.TryAddWithoutValidation("If-Match", stale);
        var precondition = await catalog.Http.SendAsync(staleWrite, Cancel);
        // A later successful write: once its event is on the stream, anything the failed ones published would be too (same relay).
        await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 21m, currency = "EUR" }, Cancel);

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.BadRequest, HttpStatusCode.PreconditionFailed), (duplicate.StatusCode, invalid.StatusCode, precondition.StatusCode));
        var events = await catalog.WaitForEventsAsync(sku, 3);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.GetProperty("data").GetProperty("version").GetInt64()).Order());
        Assert.DoesNotContain(events, e => e.GetProperty("data").GetProperty("price").GetDecimal() == 99m);
    }

    private static List<string> Fields(JsonElement data) => [.. data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}
