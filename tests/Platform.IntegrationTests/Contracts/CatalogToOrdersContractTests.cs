using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Catalog.Contracts;
using Orders.Replica;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.Contracts;

/// <summary>
/// The catalog → orders pair (DESIGN §4): each producer sample, serialised as catalog writes it to the outbox,
/// read through the orders consumer's own copy of the fields; and the whole path between the two real services
/// (catalog's outbox → pub/sub → orders' replica → an order priced from it, with no call to catalog).
/// </summary>
public sealed class CatalogToOrdersContractTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> ProducerSamples => ["ProductCreated", "ProductUpdated", "ProductPriceChanged"];

    [Theory]
    [MemberData(nameof(ProducerSamples))]
    public void ProductEvent_ProducerSample_ReadByOrdersConsumer(string eventType)
    {
        object sample = eventType switch
        {
            nameof(ProductCreated) => new ProductCreated("SKU-1:1", "SKU-1", 1, "Mug", "kitchen", 12.50m, "EUR", true, At),
            nameof(ProductUpdated) => new ProductUpdated("SKU-1:2", "SKU-1", 2, "Big mug", "kitchen", 12.50m, "EUR", false, At),
            _ => new ProductPriceChanged("SKU-1:3", "SKU-1", 3, "Big mug", "kitchen", 14.00m, "EUR", false, 12.50m, "EUR", At),
        };
        var json = JsonSerializer.Serialize(sample, sample.GetType(), JsonSerializerOptions.Web);

        var read = JsonSerializer.Deserialize<CatalogProductEvent>(json, CatalogEventsApi.EventJson)!;

        Assert.Contains(eventType, CatalogEventsApi.ProductEventTypes);
        Assert.Equal(sample.GetType().Name, eventType);
        using var producer = JsonDocument.Parse(json);
        Assert.Equal(producer.RootElement.GetProperty("eventId").GetString(), read.EventId);
        Assert.Equal(producer.RootElement.GetProperty("sku").GetString(), read.Sku);
        Assert.Equal(producer.RootElement.GetProperty("version").GetInt64(), read.Version);
        Assert.Equal(producer.RootElement.GetProperty("name").GetString(), read.Name);
        Assert.Equal(producer.RootElement.GetProperty("price").GetDecimal(), read.Price);
        Assert.Equal(producer.RootElement.GetProperty("currency").GetString(), read.Currency);
        Assert.Equal(producer.RootElement.GetProperty("active").GetBoolean(), read.Active);
        Assert.Equal(At, read.OccurredAt);
    }

    [Fact]
    public async Task PriceReplica_ProductCreatedAndRepriced_OrdersPricedFromReplica()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var catalog = await environment.StartServiceAsync<Catalog.CatalogOptions>("catalog");
        var orders = await environment.StartServiceAsync<Orders.OrdersOptions>("orders");
        var sku = $"MUG-{Guid.NewGuid():N}"[..20];

        var created = await catalog.Http.PostAsJsonAsync("/products", new { sku, name = "Mug", category = "kitchen", price = 12.50m, currency = "EUR" }, cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The first order succeeds once ProductCreated has reached the replica; until then the sku is unknown (422).
        var first = await Eventually.MatchAsync(
            () => PlaceAsync(orders, sku, cancellation),
            response => response.StatusCode == HttpStatusCode.Created,
            TimeSpan.FromSeconds(20),
            "orders prices the new product from its replica");
        Assert.Equal(12.50m, await UnitPriceAsync(first, cancellation));

        var repriced = await catalog.Http.PutAsJsonAsync($"/products/{sku}/price", new { price = 9.90m, currency = "EUR" }, cancellation);
        Assert.Equal(HttpStatusCode.OK, repriced.StatusCode);

        var later = await Eventually.MatchAsync(
            async () => await UnitPriceAsync(await PlaceAsync(orders, sku, cancellation), cancellation),
            price => price == 9.90m,
            TimeSpan.FromSeconds(20),
            "new orders use the price from ProductPriceChanged");
        Assert.Equal(9.90m, later);
    }

    private static async Task<HttpResponseMessage> PlaceAsync(RunningService orders, string sku, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId = "contract-customer", lines = new[] { new { sku, quantity = 2 } } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await orders.Http.SendAsync(request, cancellation);
    }

    private static async Task<decimal> UnitPriceAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return -1;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation));
        return body.RootElement.GetProperty("lines")[0].GetProperty("unitPrice").GetDecimal();
    }
}
