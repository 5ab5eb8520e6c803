using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orders;
using Orders.Domain;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.OrdersService;

/// <summary>
/// The orders service against our sidecar and real backends, run once per store variant (see the three sealed
/// subclasses in OrdersStoreVariants.cs). Every test uses fresh customers, skus and idempotency keys.
/// </summary>
public abstract class OrdersServiceTests(OrdersServiceFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private RunningService Service => fixture.Service;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // ---- place ----

    [Fact]
    public async Task PlaceOrder_ValidRequest_PricesFromReplicaAndPublishesOrderPlaced()
    {
        var (a, b) = (NewSku(), NewSku());
        await SeedProductAsync(a, price: 12.50m);
        await SeedProductAsync(b, price: 3.25m);
        var customer = NewCustomer();

        var response = await PlaceAsync(NewKey(), Body(customer, (a, 2), (b, 4)), sagaMode: "Choreography");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await ReadAsync(response);
        var orderId = order.GetProperty("orderId").GetString()!;
        Assert.Equal($"/orders/{orderId}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.False(response.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal("Placed", order.GetProperty("status").GetString());
        Assert.Equal(38.00m, order.GetProperty("total").GetDecimal());
        Assert.Equal("EUR", order.GetProperty("currency").GetString());
        Assert.Equal("Choreography", order.GetProperty("sagaMode").GetString());

        var placed = Assert.Single(await WaitForEventsAsync(orderId, "OrderPlaced", 1));
        Assert.Equal($"{orderId}:1", placed.GetProperty("eventId").GetString());
        Assert.Equal(customer, placed.GetProperty("customerId").GetString());
        Assert.Equal(1, placed.GetProperty("version").GetInt64());
        Assert.Equal("Choreography", placed.GetProperty("sagaMode").GetString());
        Assert.Equal(38.00m, placed.GetProperty("total").GetDecimal());
        var lines = placed.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(12.50m, lines.Single(l => l.GetProperty("sku").GetString() == a).GetProperty("unitPrice").GetDecimal());
        Assert.Equal($"Product {a}", lines.Single(l => l.GetProperty("sku").GetString() == a).GetProperty("productName").GetString());
    }

    [Fact]
    public async Task PlaceOrder_NoSagaMode_DefaultsToOrchestration()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 1m);

        var order = await ReadAsync(await PlaceAsync(NewKey(), Body(NewCustomer(), (sku, 1))));

        Assert.Equal("Orchestration", order.GetProperty("sagaMode").GetString());
    }

    [Fact]
    public async Task PlaceOrder_SameKeyAndBody_ReplaysFirstResponseEvenAfterPriceChange()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 10m);
        var (customer, key) = (NewCustomer(), NewKey());
        var first = await PlaceAsync(key, Body(customer, (sku, 3)));
        var firstBody = await first.Content.ReadAsStringAsync(Token);
        await SeedProductAsync(sku, price: 99m, version: 2, type: "ProductPriceChanged");

        var replay = await PlaceAsync(key, Body(customer, (sku, 3)));

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotency-Replayed")));
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync(Token));
        Assert.Equal(30m, (await ReadAsync(replay)).GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task PlaceOrder_SameKeyDifferentBody_Returns422AndKeepsTheOriginal()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 10m);
        var (customer, key) = (NewCustomer(), NewKey());
        var orderId = (await ReadAsync(await PlaceAsync(key, Body(customer, (sku, 1))))).GetProperty("orderId").GetString()!;

        var reused = await PlaceAsync(key, Body(customer, (sku, 2)));

        await AssertProblemAsync(reused, HttpStatusCode.UnprocessableEntity);
        var stored = await ReadAsync(await Service.Http.GetAsync($"/orders/{orderId}", Token));
        Assert.Equal(1, stored.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task PlaceOrder_MissingIdempotencyKey_Returns400()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 10m);

        var response = await Service.Http.PostAsync("/orders", Json(Body(NewCustomer(), (sku, 1))), Token);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PlaceOrder_ConcurrentDuplicates_OneOrderAndOneOrderPlaced()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 5m);
        var (customer, key) = (NewCustomer(), NewKey());

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PlaceAsync(key, Body(customer, (sku, 2)))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var orderIds = await Task.WhenAll(responses.Select(async r => (await ReadAsync(r)).GetProperty("orderId").GetString()));
        var orderId = Assert.Single(orderIds.Distinct())!;
        Assert.Single(responses, r => !r.Headers.Contains("Idempotency-Replayed"));
        // Confirm afterwards: once OrderConfirmed is out, any second OrderPlaced would have had its chance too.
        Assert.Equal(HttpStatusCode.OK, (await Service.Http.PostAsync($"/orders/{orderId}/confirm", null, Token)).StatusCode);
        await WaitForEventsAsync(orderId, "OrderConfirmed", 1);
        Assert.Single(await EventsAsync(orderId, "OrderPlaced"));
        var list = await ReadAsync(await Service.Http.GetAsync($"/orders?customerId={customer}", Token));
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task PlaceOrder_UnknownOrInactiveProducts_Returns422NamingThemAndWritesNothing()
    {
        var (active, inactive, unknown) = (NewSku(), NewSku(), NewSku());
        await SeedProductAsync(active, price: 1m);
        await SeedProductAsync(inactive, price: 1m, active: false);
        var (customer, key) = (NewCustomer(), NewKey());

        var response = await PlaceAsync(key, Body(customer, (active, 1), (inactive, 1), (unknown, 1)));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal([unknown], problem.GetProperty("unknownSkus").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([inactive], problem.GetProperty("inactiveSkus").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await Service.Http.GetAsync($"/orders/{OrderIds.Derive(customer, key)}", Token)).StatusCode);
    }

    [Fact]
    public async Task PlaceOrder_LinesInDifferentCurrencies_Returns422()
    {
        var (euro, dollar) = (NewSku(), NewSku());
        await SeedProductAsync(euro, price: 1m, currency: "EUR");
        await SeedProductAsync(dollar, price: 1m, currency: "USD");

        var response = await PlaceAsync(NewKey(), Body(NewCustomer(), (euro, 1), (dollar, 1)));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("USD", problem.GetProperty("currencies").GetProperty(dollar).GetString());
    }

    [Fact]
    public async Task PlaceOrder_InvalidPayloads_Return400AndWriteNothing()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 1m);
        var customer = NewCustomer();
        string[] bodies =
        [
            "{",
            "{}",
            $$"""{"customerId":"{{customer}}"}""",
            $$"""{"customerId":"{{customer}}","lines":[]}""",
            $$"""{"customerId":"{{customer}}","lines":[{"sku":"{{sku}}","quantity":0}]}""",
            $$"""{"customerId":"{{customer}}","lines":[{"sku":"{{sku}}","quantity":-3}]}""",
            $$"""{"customerId":"{{customer}}","lines":[{"sku":"{{sku}}","quantity":1},{"sku":"{{sku}}","quantity":2}]}""",
            $$"""{"customerId":"{{customer}}","lines":[{"sku":"{{sku}}"}]}""",
            $$"""{"customerId":"{{customer}}","lines":[{"sku":null,"quantity":1}]}""",
            $$"""{"customerId":"not a||valid id","lines":[{"sku":"{{sku}}","quantity":1}]}""",
            $$"""{"customerId":"{{customer}}","lines":[{"sku":"{{sku}}","quantity":1}],"sagaMode":"Telepathy"}""",
            $$"""{"customerId":"{{customer}}","lines":[{{string.Join(",", Enumerable.Range(0, 51).Select(i => $$"""{"sku":"S{{i}}","quantity":1}"""))}}]}""",
        ];

        foreach (var body in bodies)
        {
            var key = NewKey();
            var response = await Service.Http.SendAsync(Request(key, new StringContent(body, Encoding.UTF8, "application/json")), Token);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} → {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.NotFound, (await Service.Http.GetAsync($"/orders/{OrderIds.Derive(customer, key)}", Token)).StatusCode);
        }

        var list = await ReadAsync(await Service.Http.GetAsync($"/orders?customerId={customer}", Token));
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task PlaceOrder_OversizedRequest_Returns413()
    {
        var padding = new string('x', 70 * 1024);
        var body = $$"""{"customerId":"{{NewCustomer()}}","lines":[{"sku":"{{NewSku()}}","quantity":1}],"padding":"{{padding}}"}""";

        var response = await Service.Http.SendAsync(Request(NewKey(), new StringContent(body, Encoding.UTF8, "application/json")), Token);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task PlaceOrder_ClaimLeftByACrashedWriter_CompletedAsClaimedOnce()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 2m);
        var (customer, key) = (NewCustomer(), NewKey());
        var orderId = OrderIds.Derive(customer, key);
        var fingerprint = new PlaceOrder(customer, [new RequestedLine(sku, 3)], SagaMode.Orchestration).Fingerprint();
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        // What a writer that died between its claim and its commit leaves behind: a pending order priced at 7
        // (the price of its time) and an expired lease.
        await Service.Dapr.SaveStateAsync(DaprNames.OrdersStore, orderId, new
        {
            order = new
            {
                orderId, customerId = customer, sagaMode = "Orchestration",
                lines = new[] { new { sku, productName = "Claimed", quantity = 3, unitPrice = 7m } },
                currency = "EUR", total = 21m, status = "Pending", version = 0, requestFingerprint = fingerprint, createdAt = past,
            },
            placedResponse = (object?)null,
            lease = new { token = Guid.NewGuid(), until = past },
        }, cancellationToken: Token);
        Assert.Equal(HttpStatusCode.NotFound, (await Service.Http.GetAsync($"/orders/{orderId}", Token)).StatusCode);

        var retried = await PlaceAsync(key, Body(customer, (sku, 3)));

        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(21m, (await ReadAsync(retried)).GetProperty("total").GetDecimal());
        var replay = await PlaceAsync(key, Body(customer, (sku, 3)));
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotency-Replayed")));
        Assert.Equal(21m, Assert.Single(await WaitForEventsAsync(orderId, "OrderPlaced", 1)).GetProperty("total").GetDecimal());
    }

    // ---- read ----

    [Fact]
    public async Task GetOrder_UnknownOrMalformedId_Returns404()
    {
        await AssertProblemAsync(await Service.Http.GetAsync($"/orders/{Guid.NewGuid()}", Token), HttpStatusCode.NotFound);
        await AssertProblemAsync(await Service.Http.GetAsync("/orders/not-an-id", Token), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetOrder_Placed_ReturnsOrderWithVersionETag()
    {
        var orderId = await PlaceSimpleOrderAsync(NewCustomer());

        var response = await Service.Http.GetAsync($"/orders/{orderId}", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal(orderId, (await ReadAsync(response)).GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task ListOrders_ByCustomer_PagesNewestFirst()
    {
        var customer = NewCustomer();
        var placed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            placed.Add(await PlaceSimpleOrderAsync(customer));
        }

        await PlaceSimpleOrderAsync(NewCustomer()); // someone else's order stays out of the list

        var first = await ReadAsync(await Service.Http.GetAsync($"/orders?customerId={customer}&pageSize=2", Token));
        var token = first.GetProperty("continuationToken").GetString();
        var second = await ReadAsync(await Service.Http.GetAsync($"/orders?customerId={customer}&pageSize=2&continuationToken={token}", Token));

        var ids = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(o => o.GetProperty("orderId").GetString()).ToList();
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("continuationToken").ValueKind);
        Assert.Equal(Enumerable.Reverse(placed), ids);
    }

    [Fact]
    public async Task ListOrders_BadQuery_Returns400()
    {
        await AssertProblemAsync(await Service.Http.GetAsync("/orders", Token), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Service.Http.GetAsync($"/orders?customerId={NewCustomer()}&pageSize=0", Token), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Service.Http.GetAsync($"/orders?customerId={NewCustomer()}&pageSize=501", Token), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Service.Http.GetAsync($"/orders?customerId={NewCustomer()}&continuationToken=%21%21", Token), HttpStatusCode.BadRequest);
    }

    // ---- confirm / cancel ----

    [Fact]
    public async Task ConfirmOrder_Twice_SameResultAndOneOrderConfirmed()
    {
        var orderId = await PlaceSimpleOrderAsync(NewCustomer());

        var first = await Service.Http.PostAsync($"/orders/{orderId}/confirm", null, Token);
        var second = await Service.Http.PostAsync($"/orders/{orderId}/confirm", null, Token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Token), await second.Content.ReadAsStringAsync(Token));
        Assert.Equal("Confirmed", (await ReadAsync(second)).GetProperty("status").GetString());
        Assert.Equal("\"2\"", second.Headers.ETag?.Tag);
        var confirmed = Assert.Single(await WaitForEventsAsync(orderId, "OrderConfirmed", 1));
        Assert.Equal($"{orderId}:2", confirmed.GetProperty("eventId").GetString());
        Assert.Equal(2, confirmed.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task CancelOrder_Twice_200AndOneOrderCancelledWithReason()
    {
        var orderId = await PlaceSimpleOrderAsync(NewCustomer());

        var first = await CancelAsync(orderId, "payment failed");
        var second = await CancelAsync(orderId, "again");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("payment failed", (await ReadAsync(second)).GetProperty("cancellationReason").GetString());
        var cancelled = Assert.Single(await WaitForEventsAsync(orderId, "OrderCancelled", 1));
        Assert.Equal("payment failed", cancelled.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ConfirmAndCancel_AfterTheOther_Return409()
    {
        var cancelled = await PlaceSimpleOrderAsync(NewCustomer());
        var confirmed = await PlaceSimpleOrderAsync(NewCustomer());
        Assert.Equal(HttpStatusCode.OK, (await CancelAsync(cancelled, "out of stock")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Service.Http.PostAsync($"/orders/{confirmed}/confirm", null, Token)).StatusCode);

        await AssertProblemAsync(await Service.Http.PostAsync($"/orders/{cancelled}/confirm", null, Token), HttpStatusCode.Conflict);
        await AssertProblemAsync(await CancelAsync(confirmed, "changed my mind"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ConfirmAndCancel_UnknownOrderOrBadBody_404And400()
    {
        await AssertProblemAsync(await Service.Http.PostAsync($"/orders/{Guid.NewGuid()}/confirm", null, Token), HttpStatusCode.NotFound);
        await AssertProblemAsync(await CancelAsync(Guid.NewGuid().ToString(), "x"), HttpStatusCode.NotFound);
        var orderId = await PlaceSimpleOrderAsync(NewCustomer());
        await AssertProblemAsync(await Service.Http.PostAsync($"/orders/{orderId}/cancel", Json(new { reason = "" }), Token), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await Service.Http.PostAsync($"/orders/{orderId}/cancel", Json(new { }), Token), HttpStatusCode.BadRequest);
        Assert.Equal("Placed", (await ReadAsync(await Service.Http.GetAsync($"/orders/{orderId}", Token))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ConfirmOrder_StaleIfMatch_Returns412AndWritesNothing()
    {
        var orderId = await PlaceSimpleOrderAsync(NewCustomer());
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/orders/{orderId}/confirm");
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"7\""));
        var fresh = new HttpRequestMessage(HttpMethod.Post, $"/orders/{orderId}/confirm");
        fresh.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));

        var refused = await Service.Http.SendAsync(stale, Token);
        var status = (await ReadAsync(await Service.Http.GetAsync($"/orders/{orderId}", Token))).GetProperty("status").GetString();
        var accepted = await Service.Http.SendAsync(fresh, Token);

        await AssertProblemAsync(refused, HttpStatusCode.PreconditionFailed);
        Assert.Equal("Placed", status);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task ConfirmAndCancel_Concurrently_ExactlyOneWinsWithOneEvent()
    {
        var orderId = await PlaceSimpleOrderAsync(NewCustomer());

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? Service.Http.PostAsync($"/orders/{orderId}/confirm", null, Token)
            : CancelAsync(orderId, "race")));

        var final = (await ReadAsync(await Service.Http.GetAsync($"/orders/{orderId}", Token))).GetProperty("status").GetString();
        Assert.True(final is "Confirmed" or "Cancelled", final);
        var winners = final == "Confirmed" ? responses.Where((_, i) => i % 2 == 0) : responses.Where((_, i) => i % 2 == 1);
        var losers = final == "Confirmed" ? responses.Where((_, i) => i % 2 == 1) : responses.Where((_, i) => i % 2 == 0);
        Assert.All(winners, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(losers, r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(2, (await ReadAsync(await Service.Http.GetAsync($"/orders/{orderId}", Token))).GetProperty("version").GetInt64());
        var winnerEvent = final == "Confirmed" ? "OrderConfirmed" : "OrderCancelled";
        await WaitForEventsAsync(orderId, winnerEvent, 1);
        // A later change of another order goes out after any stray event of this one would have.
        var probe = await PlaceSimpleOrderAsync(NewCustomer());
        await WaitForEventsAsync(probe, "OrderPlaced", 1);
        Assert.Single(await EventsAsync(orderId, winnerEvent));
        Assert.Empty(await EventsAsync(orderId, final == "Confirmed" ? "OrderCancelled" : "OrderConfirmed"));
    }

    // ---- catalog events → price replica ----

    [Fact]
    public async Task CatalogEvents_DuplicateAndReordered_NewestVersionWins()
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 20m, version: 3, type: "ProductPriceChanged");
        await PublishProductAsync(sku, price: 10m, version: 1, type: "ProductCreated");
        await PublishProductAsync(sku, price: 15m, version: 2, type: "ProductUpdated");
        await PublishProductAsync(sku, price: 20m, version: 3, type: "ProductPriceChanged", eventId: $"{sku}:3");
        // A marker event published last: once it is applied, the older ones were handled (or are still queued behind nothing).
        var marker = NewSku();
        await SeedProductAsync(marker, price: 1m);

        var replica = await ReplicaAsync(sku);
        Assert.Equal(3, replica.GetProperty("version").GetInt64());
        Assert.Equal(20m, replica.GetProperty("price").GetDecimal());
        var order = await ReadAsync(await PlaceAsync(NewKey(), Body(NewCustomer(), (sku, 1))));
        Assert.Equal(20m, order.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task CatalogEvents_Duplicate_RecordedOnceInInbox()
    {
        var sku = NewSku();
        var eventId = $"{sku}:1";
        await SeedProductAsync(sku, price: 4m, eventId: eventId);

        await PublishProductAsync(sku, price: 4m, version: 1, eventId: eventId);
        await SeedProductAsync(NewSku(), price: 1m);

        var inbox = await Service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"inbox:{eventId}", cancellationToken: Token);
        Assert.Equal(sku, inbox.GetProperty("sku").GetString());
        Assert.Equal(1, (await ReplicaAsync(sku)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task CatalogEvents_UnknownTypeOrMalformed_EndInDeadLetterTopic()
    {
        var unknownSku = NewSku();
        var malformedSku = NewSku();
        await Service.Dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.CatalogTopic, new { eventId = unknownSku, sku = unknownSku }, Metadata("ProductDiscontinued"), Token);
        await Service.Dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.CatalogTopic, new { eventId = malformedSku, sku = malformedSku, version = "not a number" }, Metadata("ProductUpdated"), Token);
        await Service.Dapr.PublishByteEventAsync(DaprNames.PubSub, DaprNames.CatalogTopic, Encoding.UTF8.GetBytes("{not json"), "application/json", Metadata("ProductCreated"), Token);

        var dead = await Eventually.MatchAsync(
            () => StreamAsync(DaprNames.CatalogDeadLetterTopic),
            entries => entries.Count(e => e.Contains(unknownSku, StringComparison.Ordinal) || e.Contains(malformedSku, StringComparison.Ordinal)) == 2,
            Patience, "both bad events dead-lettered");
        Assert.Contains(dead, e => e.Contains(unknownSku, StringComparison.Ordinal) && e.Contains("ProductDiscontinued", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Undefined, (await Service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"product:{malformedSku}", cancellationToken: Token)).ValueKind);
    }

    [Fact]
    public async Task PlaceOrder_CallerSendsTraceparent_TheOutboxEventCarriesTheSameTrace()
    {
        // The trace context flows from the incoming request through the app's Dapr call into the sidecar's outbox
        // event (ServiceDefaults samples spans off without a collector; the context must still flow).
        var sku = NewSku();
        await SeedProductAsync(sku, price: 5m);
        var traceId = Guid.NewGuid().ToString("N");
        var request = Request(NewKey(), Json(Body(NewCustomer(), (sku, 1))));
        request.Headers.Add("traceparent", $"00-{traceId}-{Guid.NewGuid().ToString("N")[..16]}-01");
        // A caller outside this process: the test process's own HttpClient would add a traceparent of its own.
        using var caller = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = Service.Http.BaseAddress };

        var response = await caller.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var orderId = (await ReadAsync(response)).GetProperty("orderId").GetString()!;
        var placed = await Eventually.MatchAsync(
            async () => (await StreamAsync(DaprNames.OrdersTopic)).Select(raw => JsonDocument.Parse(raw).RootElement)
                .FirstOrDefault(e => e.GetProperty("type").GetString() == "OrderPlaced" && e.GetProperty("data").GetProperty("orderId").GetString() == orderId),
            e => e.ValueKind == JsonValueKind.Object,
            Patience,
            $"OrderPlaced of {orderId}");
        Assert.Equal(traceId, placed.GetProperty("traceid").GetString()!.Split('-')[1]);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesEveryOrderEndpoint()
    {
        var document = await Service.Http.GetStringAsync("/openapi/v1.json", Token);

        foreach (var operation in new[] { "PlaceOrder", "GetOrder", "ListOrders", "ConfirmOrder", "CancelOrder" })
        {
            Assert.Contains($"\"operationId\": \"{operation}\"", document, StringComparison.Ordinal);
        }
    }

    // ---- helpers ----

    private static string NewSku() => "SKU-" + Guid.NewGuid().ToString("N")[..12];

    private static string NewCustomer() => "cust-" + Guid.NewGuid().ToString("N")[..12];

    private static string NewKey() => Guid.NewGuid().ToString();

    private static Dictionary<string, string> Metadata(string type) => new(StringComparer.Ordinal) { ["cloudevent.type"] = type };

    private static object Body(string customerId, params (string Sku, int Quantity)[] lines) =>
        new { customerId, lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }).ToArray() };

    private static JsonContent Json(object body) => JsonContent.Create(body);

    private static HttpRequestMessage Request(string key, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = content };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private Task<HttpResponseMessage> PlaceAsync(string key, object body, string? sagaMode = null)
    {
        var json = JsonSerializer.SerializeToNode(body, JsonSerializerOptions.Web)!.AsObject();
        if (sagaMode is not null)
        {
            json["sagaMode"] = sagaMode;
        }

        return Service.Http.SendAsync(Request(key, new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json")), Token);
    }

    private Task<HttpResponseMessage> CancelAsync(string orderId, string reason) =>
        Service.Http.PostAsync($"/orders/{orderId}/cancel", Json(new { reason }), Token);

    private async Task<string> PlaceSimpleOrderAsync(string customer)
    {
        var sku = NewSku();
        await SeedProductAsync(sku, price: 2m);
        var response = await PlaceAsync(NewKey(), Body(customer, (sku, 1)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await ReadAsync(response)).GetProperty("orderId").GetString()!;
    }

    private Task PublishProductAsync(string sku, decimal price, long version, string type = "ProductCreated", string currency = "EUR", bool active = true, string? eventId = null) =>
        Service.Dapr.PublishEventAsync(
            DaprNames.PubSub,
            DaprNames.CatalogTopic,
            new { eventId = eventId ?? $"{sku}:{version}", sku, version, name = $"Product {sku}", category = "test", price, currency, active, occurredAt = DateTimeOffset.UtcNow },
            Metadata(type),
            Token);

    /// <summary>Publishes a product event on topic catalog and waits until the replica holds that version.</summary>
    private async Task SeedProductAsync(string sku, decimal price, long version = 1, string type = "ProductCreated", string currency = "EUR", bool active = true, string? eventId = null)
    {
        await PublishProductAsync(sku, price, version, type, currency, active, eventId);
        await Eventually.MatchAsync(
            () => Service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"product:{sku}", cancellationToken: Token),
            p => p.ValueKind == JsonValueKind.Object && p.GetProperty("version").GetInt64() >= version,
            Patience, $"replica has {sku} v{version}");
    }

    private Task<JsonElement> ReplicaAsync(string sku) =>
        Service.Dapr.GetStateAsync<JsonElement>(DaprNames.ReplicaStore, $"product:{sku}", cancellationToken: Token);

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Token);

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The raw CloudEvents on a pub/sub topic (Redis stream named by the topic, field "data").</summary>
    private async Task<List<string>> StreamAsync(string topic)
    {
        var entries = await fixture.Environment.Redis.Database.StreamRangeAsync(topic);
        return [.. entries.Select(e => (string?)e.Values.First(v => v.Name == "data").Value ?? "")];
    }

    /// <summary>The payloads of one order's events of one type on topic orders.</summary>
    private async Task<List<JsonElement>> EventsAsync(string orderId, string type)
    {
        var events = new List<JsonElement>();
        foreach (var raw in await StreamAsync(DaprNames.OrdersTopic))
        {
            var cloudEvent = JsonDocument.Parse(raw).RootElement;
            if (cloudEvent.GetProperty("type").GetString() == type &&
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
