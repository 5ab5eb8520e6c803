using System.Net;
using System.Net.Http.Json;
using OrderQuery.Domain;
using OrderQuery.Queries;
using OrderQuery.Rebuild;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>
/// Catalog and orders run beside order-query (payments and inventory too: the rebuild reads each order's payment and
/// reservation; without a saga there are none): data is created through their APIs, the live projection converges,
/// then the rebuild (through service invocation) fills a fresh schema, which must equal the live views.
/// </summary>
public sealed class RebuildTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Rebuild_IntoFreshSchema_EqualsTheLiveProjection()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var catalog = await environment.StartServiceAsync<Catalog.CatalogOptions>("catalog");
        var orders = await environment.StartServiceAsync<Orders.OrdersOptions>("orders");
        await environment.StartServiceAsync<Payments.PaymentsOptions>("payments");
        await environment.StartServiceAsync<Inventory.InventoryOptions>("inventory");
        var query = await ReadSide.StartAsync(environment, await ReadSide.CreateDatabaseAsync(environment));

        var category = ReadSide.NewId("cat").Replace("-", "", StringComparison.Ordinal);
        var skus = new[] { ReadSide.NewId("MUG"), ReadSide.NewId("CUP") };
        foreach (var (sku, i) in skus.Select((s, i) => (s, i)))
        {
            var created = await catalog.Http.PostAsJsonAsync("/products", new { sku, name = $"Product {i}", category, price = 10m + i, currency = "EUR", description = "rebuilt" }, cancellation);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var repriced = await catalog.Http.PutAsJsonAsync($"/products/{skus[0]}/price", new { price = 7.25m, currency = "EUR" }, cancellation);
        Assert.Equal(HttpStatusCode.OK, repriced.StatusCode);

        var customers = new[] { ReadSide.NewId("cust"), ReadSide.NewId("cust") };
        var orderIds = new List<string>();
        foreach (var customer in customers)
        {
            for (var n = 0; n < 3; n++)
            {
                orderIds.Add(await PlaceAsync(orders, customer, skus[n % 2], $"key-{n}", cancellation));
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await orders.Http.PostAsync($"/orders/{orderIds[0]}/confirm", null, cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await orders.Http.PostAsJsonAsync($"/orders/{orderIds[4]}/cancel", new { reason = "customer changed mind" }, cancellation)).StatusCode);

        // The live projection converges: every order and both products, in their final state.
        foreach (var orderId in orderIds)
        {
            var expected = orderId == orderIds[0] ? SagaStatus.Confirmed : orderId == orderIds[4] ? SagaStatus.Cancelled : SagaStatus.Placed;
            await query.SummaryWhenAsync(orderId, s => s.SagaStatus == expected && s.Lines.Count == 1, $"order {orderId} live");
        }

        await Eventually.MatchAsync(
            () => query.GetAsync<ProductSearchPage>($"/products/search?category={category}"),
            page => page.Total == 2 && page.Items.Any(p => p.Sku == skus[0] && p.Price == 7.25m),
            ReadSide.Converge,
            "both products live, the first repriced");

        var schema = "rebuild_" + Guid.NewGuid().ToString("N")[..12];
        using var rebuild = await query.Http.PostAsJsonAsync("/admin/rebuild", new { schema }, cancellation);
        Assert.Equal(HttpStatusCode.OK, rebuild.StatusCode);
        var report = (await rebuild.Content.ReadFromJsonAsync<RebuildResponse>(ReadSide.Json, cancellation))!;
        Assert.Equal(schema, report.Schema);
        Assert.Equal(6, report.Orders);
        Assert.True(report.Products >= 2);
        Assert.NotEmpty(report.NotRestored);

        var live = query.Database().Live;
        var rebuilt = query.Database().Views(schema);
        foreach (var orderId in orderIds)
        {
            var expected = (await live.GetSummaryAsync(orderId, cancellation))!.Summary;
            var actual = (await rebuilt.GetSummaryAsync(orderId, cancellation))!.Summary;
            Assert.Equal(expected with { Lines = [], Timeline = [] }, actual with { Lines = [], Timeline = [] });
            Assert.Equal(expected.Lines, actual.Lines);
            Assert.Equal(expected.Timeline, actual.Timeline);
        }

        foreach (var sku in skus)
        {
            Assert.Equal(await live.GetProductAsync(sku, cancellation), await rebuilt.GetProductAsync(sku, cancellation));
        }

        foreach (var customer in customers)
        {
            var (liveOrders, liveTotal) = await live.ListCustomerOrdersAsync(customer, null, null, null, 1, 10, cancellation);
            var (rebuiltOrders, rebuiltTotal) = await rebuilt.ListCustomerOrdersAsync(customer, null, null, null, 1, 10, cancellation);
            Assert.Equal(3, liveTotal);
            Assert.Equal(liveTotal, rebuiltTotal);
            Assert.Equal(liveOrders.Select(o => (o.OrderId, o.SagaStatus)), rebuiltOrders.Select(o => (o.OrderId, o.SagaStatus)));
        }
    }

    private static async Task<string> PlaceAsync(RunningService orders, string customerId, string sku, string key, CancellationToken cancellation)
    {
        // The first order of a new product waits until orders' price replica has the product.
        var response = await Eventually.MatchAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(new { customerId, lines = new[] { new { sku, quantity = 2 } } }) };
                request.Headers.Add("Idempotency-Key", key);
                return await orders.Http.SendAsync(request, cancellation);
            },
            r => r.StatusCode == HttpStatusCode.Created,
            ReadSide.Converge,
            $"order of {sku} placed");
        var body = (await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(cancellation))!;
        return body["orderId"].ToString()!;
    }
}
