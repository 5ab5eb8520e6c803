using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orders;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.OrdersService;

/// <summary>
/// <c>POST /orders/{id}/cancellation</c> on the orders service alone (no saga apps): the answers, the one
/// OrderCancellationRequested it publishes, and the choreography's completion from reported compensations that
/// arrive in any order and twice. Run on PostgreSQL and on Redis (where a failed transaction still publishes).
/// </summary>
public abstract class CustomerCancellationTests(OrdersServiceFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private RunningService Service => fixture.Service;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RequestCancellation_ConfirmedOrderConcurrentDuplicates_202CancellingAndOneEvent()
    {
        var orderId = await ConfirmedOrderAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RequestCancellationAsync(orderId, "changed my mind")));

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal($"/orders/{orderId}", response.Headers.Location?.OriginalString);
            var order = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
            Assert.Equal("Cancelling", order.GetProperty("status").GetString());
            Assert.Equal("changed my mind", order.GetProperty("cancellationReason").GetString());
        }

        var requested = Assert.Single(await WaitForEventsAsync(orderId, "OrderCancellationRequested", 1));
        Assert.Equal($"{orderId}:3", requested.GetProperty("eventId").GetString());
        Assert.Equal("Choreography", requested.GetProperty("sagaMode").GetString());
        Assert.Equal("changed my mind", requested.GetProperty("reason").GetString());
        Assert.Equal("Cancelling", (await OrderAsync(orderId)).GetProperty("status").GetString());

        // The saga's cancel completes it; then the customer's request is answered 200 with the first reason.
        Assert.Equal(HttpStatusCode.OK, (await Service.Http.PostAsJsonAsync($"/orders/{orderId}/cancel", new { reason = "saga" }, Token)).StatusCode);
        var again = await RequestCancellationAsync(orderId, "another reason");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var cancelled = await again.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal("Cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("changed my mind", cancelled.GetProperty("cancellationReason").GetString());
        await WaitForEventsAsync(orderId, "OrderCancelled", 1);
        Assert.Single(await EventsAsync(orderId, "OrderCancellationRequested"));
    }

    [Fact]
    public async Task RequestCancellation_NoBody_DefaultReason()
    {
        var orderId = await ConfirmedOrderAsync();

        var response = await Service.Http.PostAsync($"/orders/{orderId}/cancellation", null, Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("Cancelled by the customer", (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("cancellationReason").GetString());
    }

    [Fact]
    public async Task RequestCancellation_PlacedOrderStillInItsSaga_409ProblemNothingChanged()
    {
        var orderId = await PlacedOrderAsync();

        var response = await RequestCancellationAsync(orderId, "too slow");

        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("Order not cancellable", problem.GetProperty("title").GetString());
        Assert.Contains("still being fulfilled", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Placed", (await OrderAsync(orderId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RequestCancellation_UnknownOrMalformedOrderId_404Problem()
    {
        await AssertProblemAsync(await RequestCancellationAsync(Guid.NewGuid().ToString(), "x"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await RequestCancellationAsync("not-an-order", "x"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RequestCancellation_StaleIfMatch_412()
    {
        var orderId = await ConfirmedOrderAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/orders/{orderId}/cancellation") { Content = JsonContent.Create(new { reason = "x" }) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");

        var response = await Service.Http.SendAsync(request, Token);

        await AssertProblemAsync(response, HttpStatusCode.PreconditionFailed);
        Assert.Equal("Confirmed", (await OrderAsync(orderId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Choreography_CompensationsReportedReorderedAndTwice_CancelledOnceWithOneEvent()
    {
        var orderId = await ConfirmedOrderAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await RequestCancellationAsync(orderId, "changed my mind")).StatusCode);

        // The restock is reported first, twice; the order notes it and stays Cancelling.
        await ReportAsync("inventory", "StockReturned", orderId, version: 5);
        await ReportAsync("inventory", "StockReturned", orderId, version: 5);
        await Eventually.MatchAsync(
            () => Service.Dapr.GetStateAsync<JsonElement>(DaprNames.OrdersStore, orderId, cancellationToken: Token),
            d => d.GetProperty("order").TryGetProperty("reportedCompensations", out var r) && r.GetArrayLength() == 1,
            Patience, "orders notes the restock");
        Assert.Equal("Cancelling", (await OrderAsync(orderId)).GetProperty("status").GetString());

        await ReportAsync("payments", "PaymentRefunded", orderId, version: 3);
        await ReportAsync("payments", "PaymentRefunded", orderId, version: 3);

        var order = await Eventually.MatchAsync(() => OrderAsync(orderId), o => o.GetProperty("status").GetString() == "Cancelled", Patience, "the second report completes the cancellation");
        Assert.Equal("changed my mind", order.GetProperty("cancellationReason").GetString());
        Assert.Equal(4, order.GetProperty("version").GetInt64());
        await WaitForEventsAsync(orderId, "OrderCancelled", 1);
        // Another late duplicate changes nothing.
        await ReportAsync("inventory", "StockReturned", orderId, version: 5);
        Assert.Single(await EventsAsync(orderId, "OrderCancelled"));
        Assert.Equal(4, (await OrderAsync(orderId)).GetProperty("version").GetInt64());
    }

    // ---- helpers ----

    private Task<HttpResponseMessage> RequestCancellationAsync(string orderId, string reason) =>
        Service.Http.PostAsJsonAsync($"/orders/{orderId}/cancellation", new { reason }, Token);

    private async Task<string> PlacedOrderAsync()
    {
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..12];
        await Service.Dapr.PublishEventAsync(
            DaprNames.PubSub, DaprNames.CatalogTopic,
            new { eventId = $"{sku}:1", sku, version = 1, name = $"Product {sku}", category = "test", price = 4.5m, currency = "EUR", active = true, occurredAt = DateTimeOffset.UtcNow },
            new Dictionary<string, string> { ["cloudevent.type"] = "ProductCreated" }, Token);
        await Eventually.MatchAsync(
            () => Service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"product:{sku}", cancellationToken: Token),
            p => p.ValueKind == JsonValueKind.Object && p.GetProperty("version").GetInt64() >= 1,
            Patience, $"replica has {sku}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId = "cust-" + Guid.NewGuid().ToString("N")[..12], lines = new[] { new { sku, quantity = 2 } }, sagaMode = "Choreography" }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await Service.Http.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("orderId").GetString()!;
    }

    /// <summary>A choreographed order confirmed through the saga's confirm endpoint (no payments or inventory here).</summary>
    private async Task<string> ConfirmedOrderAsync()
    {
        var orderId = await PlacedOrderAsync();
        Assert.Equal(HttpStatusCode.OK, (await Service.Http.PostAsync($"/orders/{orderId}/confirm", null, Token)).StatusCode);
        return orderId;
    }

    private Task ReportAsync(string topic, string type, string orderId, long version) =>
        Service.Dapr.PublishEventAsync(
            DaprNames.PubSub, topic,
            new { eventId = $"{orderId}:{type}:{version}", orderId, version, occurredAt = DateTimeOffset.UtcNow },
            new Dictionary<string, string> { ["cloudevent.type"] = type }, Token);

    private async Task<JsonElement> OrderAsync(string orderId) =>
        await Service.Http.GetFromJsonAsync<JsonElement>($"/orders/{orderId}", Token);

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The payloads of one order's events of one type on topic orders (the Redis stream of the topic).</summary>
    private async Task<List<JsonElement>> EventsAsync(string orderId, string type)
    {
        var events = new List<JsonElement>();
        foreach (var entry in await fixture.Environment.Redis.Database.StreamRangeAsync(DaprNames.OrdersTopic))
        {
            var cloudEvent = JsonDocument.Parse((string?)entry.Values.First(v => v.Name == "data").Value ?? "{}").RootElement;
            if (cloudEvent.TryGetProperty("type", out var t) && t.GetString() == type &&
                cloudEvent.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object &&
                data.GetProperty("orderId").GetString() == orderId)
            {
                events.Add(data.Clone());
            }
        }

        return events;
    }

    private Task<List<JsonElement>> WaitForEventsAsync(string orderId, string type, int count) =>
        Eventually.MatchAsync(() => EventsAsync(orderId, type), e => e.Count >= count, Patience, $"{count} {type} of {orderId}");
}

public sealed class CustomerCancellationOnPostgreSqlTests(PostgreSqlOrdersFixture fixture) : CustomerCancellationTests(fixture), IClassFixture<PostgreSqlOrdersFixture>;

public sealed class CustomerCancellationOnRedisTests(RedisOrdersFixture fixture) : CustomerCancellationTests(fixture), IClassFixture<RedisOrdersFixture>;
