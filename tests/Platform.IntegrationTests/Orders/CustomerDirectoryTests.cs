using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orders;
using Platform.Testing;

namespace Platform.IntegrationTests.OrdersService;

/// <summary>
/// <c>GET /customers</c> (the customer directory the read side's rebuild walks), on every store variant of
/// orders-store/orders-replica. The fixtures are shared with other tests, so assertions are about this test's customers.
/// </summary>
public abstract class CustomerDirectoryTests(OrdersServiceFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private HttpClient Http => fixture.Service.Http;

    [Fact]
    public async Task ListCustomers_CustomersPlacingConcurrently_EachListedExactlyOnceAcrossPages()
    {
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..12];
        var created = new { eventId = $"{sku}:1", sku, version = 1, name = "Mug", category = "test", price = 3m, currency = "EUR", active = true, occurredAt = DateTimeOffset.UtcNow };
        await fixture.Service.Dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.CatalogTopic, created, new Dictionary<string, string> { ["cloudevent.type"] = "ProductCreated" }, Token);
        await Eventually.MatchAsync(
            () => fixture.Service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"product:{sku}", cancellationToken: Token),
            p => p.ValueKind == JsonValueKind.Object && p.GetProperty("version").GetInt64() >= 1,
            TimeSpan.FromSeconds(15), $"replica has {sku}");

        // Forty new customers, two orders each, all at once: first orders race on the directory's shards.
        var customers = Enumerable.Range(0, 40).Select(_ => "cust-" + Guid.NewGuid().ToString("N")[..12]).ToList();
        var placed = await Task.WhenAll(customers.SelectMany(c => new[] { c, c }).Select(async customerId =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(new { customerId, lines = new[] { new { sku, quantity = 1 } } }) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await Http.SendAsync(request, Token);
            return response.StatusCode;
        }));
        Assert.All(placed, status => Assert.Equal(HttpStatusCode.Created, status));

        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = (await Http.GetFromJsonAsync<JsonElement>($"/customers?pageSize=7{(token is null ? "" : "&continuationToken=" + token)}", Token));
            var items = page.GetProperty("items").EnumerateArray().Select(i => i.GetString()!).ToList();
            Assert.True(items.Count <= 7);
            listed.AddRange(items);
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);

        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(customers.Except(listed, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=100000")]
    [InlineData("continuationToken=not-ours")]
    [InlineData("continuationToken=OTk6Y3VzdA")]
    public async Task ListCustomers_BadPageSizeOrForeignToken_Returns400Problem(string query)
    {
        using var response = await Http.GetAsync($"/customers?{query}", Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class CustomerDirectoryOnPostgreSqlTests(PostgreSqlOrdersFixture fixture) : CustomerDirectoryTests(fixture), IClassFixture<PostgreSqlOrdersFixture>;

public sealed class CustomerDirectoryOnRedisTests(RedisOrdersFixture fixture) : CustomerDirectoryTests(fixture), IClassFixture<RedisOrdersFixture>;

public sealed class CustomerDirectoryOnInMemoryTests(InMemoryOrdersFixture fixture) : CustomerDirectoryTests(fixture), IClassFixture<InMemoryOrdersFixture>;
