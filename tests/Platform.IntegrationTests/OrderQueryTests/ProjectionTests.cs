using System.Net;
using Npgsql;
using OrderQuery.Domain;
using OrderQuery.Queries;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>One environment with order-query beside its sidecar, shared by the projection tests (fresh ids per test).</summary>
public sealed class ReadSideFixture(PostgresFixture postgres) : IAsyncLifetime
{
    private ServiceEnvironment? _environment;

    public RunningService Service { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _environment = await ServiceEnvironment.StartAsync(postgres.Server);
        ConnectionString = await ReadSide.CreateDatabaseAsync(_environment);
        Service = await ReadSide.StartAsync(_environment, ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}

/// <summary>Events published to the real topics end in the views, whatever their order and however often they come.</summary>
public sealed class ProjectionTests(ReadSideFixture fixture) : IClassFixture<ReadSideFixture>
{
    private RunningService Service => fixture.Service;

    [Fact]
    public async Task OrderSummary_EventsReorderedAndDuplicated_ConvergesWithLinesAndTimeline()
    {
        var order = new SampleOrder(Guid.NewGuid().ToString(), ReadSide.NewId("cust"), DateTimeOffset.UtcNow);

        // Newest first, every event twice: the confirmation must survive the late OrderPlaced, which still fills the lines.
        foreach (var (topic, type, payload) in new (string, string, object)[]
        {
            ("orders", "OrderConfirmed", order.Confirmed()),
            ("inventory", "StockCommitted", order.Committed()),
            ("payments", "PaymentSucceeded", order.Paid()),
            ("inventory", "StockReserved", order.Reserved()),
            ("orders", "OrderPlaced", order.Placed()),
        })
        {
            await Service.PublishAsync(topic, type, payload);
            await Service.PublishAsync(topic, type, payload);
        }

        var summary = await Service.SummaryWhenAsync(order.OrderId, s => s.Timeline.Count == 5 && s.Lines.Count == 1, "all five events projected");

        Assert.Equal(SagaStatus.Confirmed, summary.SagaStatus);
        Assert.Equal(OrderState.Confirmed, summary.Order.Status);
        Assert.Equal(2, summary.Order.Version);
        Assert.Equal("Blue mug", summary.Lines[0].ProductName);
        Assert.Equal(21m, summary.Lines[0].LineTotal);
        Assert.Equal(21m, summary.Total);
        Assert.Equal(PaymentState.Succeeded, summary.Payment!.Status);
        Assert.Equal(StockState.Committed, summary.Stock!.Status);
        Assert.Equal(["OrderPlaced", "StockReserved", "PaymentSucceeded", "OrderConfirmed", "StockCommitted"], summary.Timeline.Select(t => t.EventType));
        Assert.NotNull(summary.StalenessMs);
        Assert.Equal(5, await CountInboxRowsAsync(order.OrderId));
    }

    [Fact]
    public async Task OrderSummary_CancelledAfterStockRejected_ShowsCancelledWithReason()
    {
        var order = new SampleOrder(Guid.NewGuid().ToString(), ReadSide.NewId("cust"), DateTimeOffset.UtcNow);

        await Service.PublishAsync("orders", "OrderPlaced", order.Placed());
        await Service.PublishAsync("inventory", "StockRejected", order.Rejected());
        await Service.PublishAsync("orders", "OrderCancelled", order.Cancelled("out of stock"));

        var summary = await Service.SummaryWhenAsync(order.OrderId, s => s.Timeline.Count == 3, "three events projected");
        Assert.Equal(SagaStatus.Cancelled, summary.SagaStatus);
        Assert.Equal("out of stock", summary.SagaReason);
        Assert.Equal("insufficient stock", summary.Stock!.Reason);
    }

    [Fact]
    public async Task MalformedAndUnknownEvents_Dropped_LaterValidEventsStillProjected()
    {
        var order = new SampleOrder(Guid.NewGuid().ToString(), ReadSide.NewId("cust"), DateTimeOffset.UtcNow);

        await Service.PublishAsync("orders", "OrderPlaced", new { eventId = $"{order.OrderId}:1", orderId = order.OrderId, version = 1 });
        await Service.PublishAsync("orders", "OrderShipped", new { eventId = $"{order.OrderId}:9", orderId = order.OrderId, version = 9 });
        await Service.PublishAsync("orders", "OrderConfirmed", order.Confirmed());

        var summary = await Service.SummaryWhenAsync(order.OrderId, s => s.Timeline.Count >= 1, "the valid confirmation projected");
        Assert.Equal(SagaStatus.Confirmed, summary.SagaStatus);
        Assert.Empty(summary.Lines);
        Assert.Equal(["OrderConfirmed"], summary.Timeline.Select(t => t.EventType));
    }

    [Fact]
    public async Task GetSummary_UnknownOrder_Returns404Problem()
    {
        using var response = await Service.Http.GetAsync($"/orders/{Guid.NewGuid()}/summary", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CustomerOrders_StatusDateFiltersAndPaging_ReturnTheMatchingPage()
    {
        var customer = ReadSide.NewId("cust");
        var start = DateTimeOffset.UtcNow.AddDays(-10);
        var orders = Enumerable.Range(0, 5).Select(i => new SampleOrder(Guid.NewGuid().ToString(), customer, start.AddDays(i))).ToList();
        foreach (var order in orders)
        {
            await Service.PublishAsync("orders", "OrderPlaced", order.Placed());
        }

        await Service.PublishAsync("orders", "OrderConfirmed", orders[1].Confirmed());
        await Service.PublishAsync("orders", "OrderConfirmed", orders[3].Confirmed());
        await Service.PublishAsync("orders", "OrderCancelled", orders[4].Cancelled("changed mind"));
        // Deliveries run side by side, so "two placed" alone can hold before every event is in: wait for all three.
        async Task<long> CountAsync(string status) => (await Service.GetAsync<CustomerOrderPage>($"/customers/{customer}/orders?status={status}")).Total;
        await Eventually.MatchAsync(
            async () => (await CountAsync("Placed"), await CountAsync("Confirmed"), await CountAsync("Cancelled")),
            counts => counts == (2, 2, 1),
            ReadSide.Converge,
            "two orders left placed, two confirmed, one cancelled");

        var confirmed = await Service.GetAsync<CustomerOrderPage>($"/customers/{customer}/orders?status=confirmed");
        Assert.Equal([orders[3].OrderId, orders[1].OrderId], confirmed.Items.Select(i => i.OrderId));

        var range = await Service.GetAsync<CustomerOrderPage>($"/customers/{customer}/orders?from={Uri.EscapeDataString(start.AddDays(1).ToString("O"))}&to={Uri.EscapeDataString(start.AddDays(3).ToString("O"))}");
        Assert.Equal([orders[2].OrderId, orders[1].OrderId], range.Items.Select(i => i.OrderId));

        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var result = await Service.GetAsync<CustomerOrderPage>($"/customers/{customer}/orders?pageSize=2&page={page}");
            Assert.Equal(5, result.Total);
            pages.AddRange(result.Items.Select(i => i.OrderId));
        }

        Assert.Equal(orders.Select(o => o.OrderId).Reverse(), pages);
    }

    [Theory]
    [InlineData("status=Shipped")]
    [InlineData("pageSize=0")]
    [InlineData("page=0")]
    [InlineData("from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z")]
    public async Task CustomerOrders_BadFilter_Returns400(string query)
    {
        using var response = await Service.Http.GetAsync($"/customers/someone/orders?{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ProductSearch_TextCategoryAndPrice_FindsTheMatchingProducts()
    {
        var category = ReadSide.NewId("cat").Replace("-", "", StringComparison.Ordinal);
        var word = ReadSide.NewId("zq").Replace("-", "", StringComparison.Ordinal);
        var mug = ReadSide.NewId("MUG");
        var cup = ReadSide.NewId("CUP");
        var plate = ReadSide.NewId("PLT");
        await Service.PublishAsync("catalog", "ProductCreated", SampleOrder.Product(mug, $"Blue {word} mugs", category, 12m));
        await Service.PublishAsync("catalog", "ProductCreated", SampleOrder.Product(cup, $"Red {word} cup", category, 4m));
        await Service.PublishAsync("catalog", "ProductCreated", SampleOrder.Product(plate, "Plain plate", category, 30m));

        var all = await Eventually.MatchAsync(
            () => Service.GetAsync<ProductSearchPage>($"/products/search?category={category}"),
            page => page.Total == 3,
            ReadSide.Converge,
            "three products indexed");
        Assert.Equal(3, all.Items.Count);

        var stemmed = await Service.GetAsync<ProductSearchPage>($"/products/search?q=mug%20{word}");
        Assert.Equal([mug], stemmed.Items.Select(i => i.Sku));

        var byWord = await Service.GetAsync<ProductSearchPage>($"/products/search?q={word}&category={category.ToUpperInvariant()}");
        Assert.Equal([cup, mug], byWord.Items.Select(i => i.Sku).Order());

        var priced = await Service.GetAsync<ProductSearchPage>($"/products/search?category={category}&minPrice=5&maxPrice=30");
        Assert.Equal([mug, plate], priced.Items.Select(i => i.Sku).Order());
    }

    [Fact]
    public async Task ProductSearch_OlderVersionArrivesLast_KeepsTheNewerProduct()
    {
        var category = ReadSide.NewId("cat").Replace("-", "", StringComparison.Ordinal);
        var sku = ReadSide.NewId("SKU");
        await Service.PublishAsync("catalog", "ProductPriceChanged", SampleOrder.Product(sku, "Teapot", category, 25m, version: 3));
        await Service.PublishAsync("catalog", "ProductCreated", SampleOrder.Product(sku, "Teapot", category, 20m, version: 1));
        await Service.PublishAsync("catalog", "ProductCreated", SampleOrder.Product(ReadSide.NewId("SKU"), "Marker", category, 1m));

        // Deliveries run side by side, so the marker can be in before either teapot event: wait until the inbox holds
        // both of them too.
        await Eventually.MatchAsync(() => CountInboxRowsAsync(sku), rows => rows == 2, ReadSide.Converge, "both teapot versions handled");
        var page = await Eventually.MatchAsync(
            () => Service.GetAsync<ProductSearchPage>($"/products/search?category={category}"),
            p => p.Total == 2,
            ReadSide.Converge,
            "both products indexed");
        var teapot = Assert.Single(page.Items, i => i.Sku == sku);
        Assert.Equal(25m, teapot.Price);
        Assert.Equal(3, teapot.Version);
    }

    [Fact]
    public async Task Staleness_AfterLiveUpdates_ReportsPercentiles()
    {
        var order = new SampleOrder(Guid.NewGuid().ToString(), ReadSide.NewId("cust"), DateTimeOffset.UtcNow);
        await Service.PublishAsync("orders", "OrderPlaced", order.Placed());
        var summary = await Service.SummaryWhenAsync(order.OrderId, _ => true, "the order projected");

        var stats = await Service.GetAsync<StalenessResponse>("/stats/staleness?last=50");

        // This update's own staleness is small; the window also holds other tests' events, some stamped days ago
        // on purpose, so the percentiles are only checked for their order.
        Assert.InRange(summary.StalenessMs!.Value, 0, 60_000);
        Assert.InRange(stats.Count, 1, 50);
        Assert.NotNull(stats.P50Ms);
        Assert.True(stats.P50Ms >= 0 && stats.P99Ms >= stats.P50Ms && stats.MaxMs >= stats.P99Ms);
    }

    private async Task<long> CountInboxRowsAsync(string aggregateId)
    {
        await using var connection = new NpgsqlConnection(Service.Database().DataSource.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orderquery.inbox WHERE aggregate_id = @aggregate", connection);
        command.Parameters.AddWithValue("aggregate", aggregateId);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
