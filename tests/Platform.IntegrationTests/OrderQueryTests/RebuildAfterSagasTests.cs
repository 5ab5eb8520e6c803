using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrderQuery.Domain;
using OrderQuery.Rebuild;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;
using StackExchange.Redis;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>
/// Real sagas in both modes (catalog, orders, payments, inventory, order-saga beside order-query) end confirmed,
/// declined and out of stock, and two choreographed orders go through a manual review (one is later cancelled by
/// its customer, which shifts its versions); then a rebuild into a fresh schema must equal the live views. One customer's events
/// never reach order-query on purpose (its consumer groups are created past them before it subscribes, as if the
/// broker had trimmed them), so only orders' customer directory can bring that customer back.
/// </summary>
public sealed class RebuildAfterSagasTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private enum Outcome
    {
        Confirmed,
        Declined,
        OutOfStock,
        ReviewedConfirmed,
        ReviewedThenCancelledByCustomer,
    }

    /// <summary>The events each outcome publishes, in either saga mode (type → how many).</summary>
    private static string[] EventsOf(Outcome outcome) => outcome switch
    {
        Outcome.Confirmed => ["CreditAwarded", "OrderConfirmed", "OrderPlaced", "PaymentSucceeded", "StockCommitted", "StockReserved"],
        Outcome.Declined => ["OrderCancelled", "OrderPlaced", "PaymentFailed", "StockReleased", "StockReserved"],
        Outcome.ReviewedConfirmed => ["CreditAwarded", "OrderConfirmed", "OrderPlaced", "OrderReviewed", "PaymentSucceeded", "StockCommitted", "StockReserved"],
        Outcome.ReviewedThenCancelledByCustomer =>
        [
            "CreditAwarded", "CreditRevoked", "OrderCancellationRequested", "OrderCancelled", "OrderConfirmed", "OrderPlaced", "OrderReviewed",
            "PaymentRefunded", "PaymentSucceeded", "StockCommitted", "StockReserved", "StockReturned",
        ],
        _ => ["OrderCancelled", "OrderPlaced", "StockRejected"],
    };

    [Fact]
    public async Task Rebuild_AfterSagasOfEveryOutcomeInBothModes_EqualsTheLiveViewsAndRestoresAnUnseenCustomer()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var declined = ReadSide.NewId("declined");
        var unseenCustomer = ReadSide.NewId("unseen");
        var catalog = await environment.StartServiceAsync<Catalog.CatalogOptions>("catalog");
        var payments = await environment.StartServiceAsync<Payments.PaymentsOptions>("payments", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?> { ["Payments:Gateway:DeclinedCustomers:0"] = declined },
        });
        var inventory = await environment.StartServiceAsync<Inventory.InventoryOptions>("inventory");
        await environment.StartServiceAsync<OrderSaga.OrderSagaOptions>("order-saga", new ServiceStartOptions
        {
            Settings = new Dictionary<string, string?> { ["OrderSaga:StepRetryInterval"] = "00:00:00.100", ["OrderSaga:CompensationRetryInterval"] = "00:00:00.100" },
        });
        var orders = await environment.StartServiceAsync<Orders.OrdersOptions>("orders", new ServiceStartOptions
        {
            // Choreographed orders above 100 wait for a reviewer; long enough that none expires during the test.
            Settings = new Dictionary<string, string?> { ["Orders:ReviewAbove"] = "100", ["Orders:ReviewTimeout"] = "00:10:00" },
        });

        var category = ReadSide.NewId("cat").Replace("-", "", StringComparison.Ordinal);
        var plenty = await NewProductAsync(catalog, inventory, category, 10m, units: 100);
        var scarce = await NewProductAsync(catalog, inventory, category, 4m, units: 1);

        // The unseen customer's sagas run before order-query subscribes; its groups then start after their events.
        var unseen = new List<(string OrderId, Outcome Outcome)>
        {
            (await PlaceAsync(orders, unseenCustomer, plenty, 1, "Orchestration"), Outcome.Confirmed),
            (await PlaceAsync(orders, unseenCustomer, scarce, 2, "Choreography"), Outcome.OutOfStock),
        };
        foreach (var (orderId, outcome) in unseen)
        {
            await Eventually.MatchAsync(
                () => Task.FromResult(PublishedTypes(environment.Redis.Database, orderId)),
                types => EventsOf(outcome).All(types.Contains),
                Patience,
                $"every event of {orderId} ({outcome}) is on its topic");
        }

        foreach (var topic in new[] { "orders", "payments", "inventory" })
        {
            await environment.Redis.Database.StreamCreateConsumerGroupAsync(topic, "order-query", StreamPosition.NewMessages, createStream: true);
        }

        var query = await ReadSide.StartAsync(environment, await ReadSide.CreateDatabaseAsync(environment));

        var seenCustomer = ReadSide.NewId("cust");
        var seen = new List<(string OrderId, Outcome Outcome)>();
        foreach (var mode in new[] { "Orchestration", "Choreography" })
        {
            seen.Add((await PlaceAsync(orders, seenCustomer, plenty, 2, mode), Outcome.Confirmed));
            seen.Add((await PlaceAsync(orders, declined, plenty, 1, mode), Outcome.Declined));
            seen.Add((await PlaceAsync(orders, seenCustomer, scarce, 2, mode), Outcome.OutOfStock));
        }

        var reviewed = await PlaceAsync(orders, seenCustomer, plenty, 11, "Choreography");
        await ApproveAsync(orders, reviewed);
        seen.Add((reviewed, Outcome.ReviewedConfirmed));
        var reviewedThenCancelled = await PlaceAsync(orders, seenCustomer, plenty, 12, "Choreography");
        await ApproveAsync(orders, reviewedThenCancelled);
        await CancelOnceConfirmedAsync(orders, reviewedThenCancelled);
        seen.Add((reviewedThenCancelled, Outcome.ReviewedThenCancelledByCustomer));

        foreach (var (orderId, outcome) in seen)
        {
            var summary = await query.SummaryWhenAsync(
                orderId,
                s => s.Timeline.Select(t => t.EventType).Order(StringComparer.Ordinal).SequenceEqual(EventsOf(outcome)),
                $"order {orderId} ({outcome}) complete in the live views");
            Assert.Equal(outcome is Outcome.Confirmed or Outcome.ReviewedConfirmed ? SagaStatus.Confirmed : SagaStatus.Cancelled, summary.SagaStatus);
        }

        foreach (var (orderId, _) in unseen)
        {
            Assert.Null(await query.SummaryAsync(orderId));
        }

        var database = query.Database();
        var fresh = "rebuild_" + Guid.NewGuid().ToString("N")[..12];
        var report = await RebuildAsync(query, fresh);
        Assert.Equal((10, 10, 7), (report.Orders, report.Reservations, report.Payments));

        // Every order the live views saw: the same summary, lines and timeline (but the credit entries, see README).
        foreach (var (orderId, _) in seen)
        {
            var live = (await database.Live.GetSummaryAsync(orderId, Ct))!.Summary;
            AssertSameView(live, (await database.Views(fresh).GetSummaryAsync(orderId, Ct))!.Summary);
        }

        foreach (var sku in new[] { plenty, scarce })
        {
            Assert.Equal(await database.Live.GetProductAsync(sku, Ct), await database.Views(fresh).GetProductAsync(sku, Ct));
        }

        foreach (var customer in new[] { seenCustomer, declined })
        {
            var (liveOrders, liveTotal) = await database.Live.ListCustomerOrdersAsync(customer, null, null, null, 1, 10, Ct);
            var (rebuiltOrders, rebuiltTotal) = await database.Views(fresh).ListCustomerOrdersAsync(customer, null, null, null, 1, 10, Ct);
            Assert.Equal(liveTotal, rebuiltTotal);
            Assert.Equal(liveOrders.Select(o => (o.OrderId, o.SagaStatus)), rebuiltOrders.Select(o => (o.OrderId, o.SagaStatus)));
        }

        // The unseen customer came back through orders' customer directory, with its sources' outcome.
        var unseenConfirmed = (await database.Views(fresh).GetSummaryAsync(unseen[0].OrderId, Ct))!.Summary;
        Assert.Equal((SagaStatus.Confirmed, PaymentState.Succeeded, StockState.Committed), (unseenConfirmed.SagaStatus, unseenConfirmed.PaymentStatus, unseenConfirmed.StockStatus));
        Assert.Equal(["OrderPlaced", "StockReserved", "PaymentSucceeded", "OrderConfirmed", "StockCommitted"], unseenConfirmed.Timeline.Select(t => t.EventType));
        var unseenRejected = (await database.Views(fresh).GetSummaryAsync(unseen[1].OrderId, Ct))!.Summary;
        Assert.Equal((SagaStatus.Cancelled, StockState.Rejected, (PaymentState?)null), (unseenRejected.SagaStatus, unseenRejected.StockStatus, unseenRejected.PaymentStatus));

        // A rebuild into the live schema repairs (the unseen customer appears, equal to the fresh rebuild) and
        // changes nothing the live views already had.
        var before = new Dictionary<string, OrderSummary>(StringComparer.Ordinal);
        foreach (var (orderId, _) in seen)
        {
            before[orderId] = (await database.Live.GetSummaryAsync(orderId, Ct))!.Summary;
        }

        await RebuildAsync(query, schema: null);
        foreach (var (orderId, _) in seen)
        {
            var after = (await database.Live.GetSummaryAsync(orderId, Ct))!.Summary;
            Assert.Equal(before[orderId] with { Lines = [], Timeline = [] }, after with { Lines = [], Timeline = [] });
            Assert.Equal(before[orderId].Timeline, after.Timeline);
        }

        foreach (var (orderId, _) in unseen)
        {
            var repaired = (await database.Live.GetSummaryAsync(orderId, Ct))!.Summary;
            AssertSameView(repaired, (await database.Views(fresh).GetSummaryAsync(orderId, Ct))!.Summary);
        }
    }

    /// <summary>
    /// Equal views. The only allowed difference: CreditAwarded/CreditRevoked timeline entries, which the rebuild
    /// cannot restore (payments keeps a per-customer ledger without per-order history; README, "Rebuild").
    /// </summary>
    private static void AssertSameView(OrderSummary live, OrderSummary rebuilt)
    {
        Assert.Equal(live with { Lines = [], Timeline = [] }, rebuilt with { Lines = [], Timeline = [] });
        Assert.Equal(live.Lines, rebuilt.Lines);
        Assert.Equal(live.Timeline.Where(t => !IsCredit(t)), rebuilt.Timeline);
        Assert.DoesNotContain(rebuilt.Timeline, IsCredit);

        static bool IsCredit(TimelineEntry entry) => entry.Source == "payments" && entry.EventType.StartsWith("Credit", StringComparison.Ordinal);
    }

    private static async Task<RebuildResponse> RebuildAsync(RunningService query, string? schema)
    {
        using var response = await query.Http.PostAsJsonAsync("/admin/rebuild", new { schema }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<RebuildResponse>(ReadSide.Json, Ct))!;
        if (schema is not null)
        {
            Assert.Equal(schema, report.Schema);
        }

        return report;
    }

    /// <summary>The CloudEvent types on the orders, payments and inventory streams whose data names the order.</summary>
    private static HashSet<string> PublishedTypes(IDatabase redis, string orderId)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in new[] { "orders", "payments", "inventory" })
        {
            foreach (var entry in redis.StreamRange(topic))
            {
                var data = entry["data"].ToString();
                if (data.Contains(orderId, StringComparison.Ordinal))
                {
                    using var cloudEvent = JsonDocument.Parse(data);
                    types.Add(cloudEvent.RootElement.GetProperty("type").GetString()!);
                }
            }
        }

        return types;
    }

    private static async Task<string> NewProductAsync(RunningService catalog, RunningService inventory, string category, decimal price, int units)
    {
        var sku = ReadSide.NewId("SKU");
        var created = await catalog.Http.PostAsJsonAsync("/products", new { sku, name = $"Product {sku}", category, price, currency = "EUR", description = "saga" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var restocked = await inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = units, restockId = "initial" }, Ct);
        Assert.Equal(HttpStatusCode.OK, restocked.StatusCode);
        return sku;
    }

    private static async Task ApproveAsync(RunningService orders, string orderId)
    {
        using var response = await orders.Http.PostAsJsonAsync($"/orders/{orderId}/review", new { approved = true, reviewer = "rebuild-test" }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task CancelOnceConfirmedAsync(RunningService orders, string orderId)
    {
        await Eventually.MatchAsync(
            async () => (await orders.Http.GetFromJsonAsync<JsonElement>($"/orders/{orderId}", Ct)).GetProperty("status").GetString(),
            status => status == "Confirmed",
            Patience,
            $"order {orderId} confirmed after its review");
        using var response = await orders.Http.PostAsJsonAsync($"/orders/{orderId}/cancellation", new { reason = "changed my mind" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<string> PlaceAsync(RunningService orders, string customerId, string sku, int quantity, string sagaMode)
    {
        var key = Guid.NewGuid().ToString();
        // The first order of a new product waits until orders' price replica has the product.
        var response = await Eventually.MatchAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(new { customerId, lines = new[] { new { sku, quantity } }, sagaMode }) };
                request.Headers.Add("Idempotency-Key", key);
                return await orders.Http.SendAsync(request, Ct);
            },
            r => r.StatusCode == HttpStatusCode.Created,
            Patience,
            $"{sagaMode} order of {quantity} x {sku} placed");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return body.GetProperty("orderId").GetString()!;
    }
}
