using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using Inventory;
using Inventory.Domain;
using Inventory.Reservations;
using Inventory.Stock;
using Platform.Testing;

namespace Platform.IntegrationTests.InventoryTests;

/// <summary>
/// The inventory suite, run once per store variant (subclasses below): stock, all-or-nothing reservations,
/// idempotency, concurrency, crash recovery, bad input and the events on the <c>inventory</c> stream.
/// </summary>
public abstract class InventoryScenarios<TEnvironment>(TEnvironment inventory)
    where TEnvironment : InventoryEnvironment
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restock_SameRestockIdTwice_AddsOnce_AndGetShowsETag()
    {
        var sku = InventoryEnvironment.NewId("sku");
        var restock = new { quantity = 5, restockId = "delivery-1" };

        var first = await inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", restock, Cancel);
        var second = await inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", restock, Cancel);
        var get = await inventory.Http.GetAsync($"/stock/{sku}", Cancel);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.NotNull(get.Headers.ETag);
        var stock = await get.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(5, stock.GetProperty("available").GetInt64());
        Assert.Equal(0, stock.GetProperty("reserved").GetInt64());
        Assert.Equal(1, stock.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Restock_StaleIfMatch_412AndNothingWritten_CurrentIfMatch_Applied()
    {
        var sku = await inventory.NewSkuAsync(5);
        var etag = (await inventory.Http.GetAsync($"/stock/{sku}", Cancel)).Headers.ETag!;
        await inventory.Http.PostAsJsonAsync($"/stock/{sku}/restock", new { quantity = 1, restockId = "other" }, Cancel);

        var stale = await RestockWithIfMatchAsync(sku, etag.Tag, "stale");
        var currentTag = (await inventory.Http.GetAsync($"/stock/{sku}", Cancel)).Headers.ETag!.Tag;
        var current = await RestockWithIfMatchAsync(sku, currentTag, "fresh");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(7, (await inventory.StockAsync(sku)).GetProperty("available").GetInt64());
    }

    [Fact]
    public async Task GetStock_UnknownSku_404Problem()
    {
        var response = await inventory.Http.GetAsync($"/stock/{InventoryEnvironment.NewId("nope")}", Cancel);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"quantity":0,"restockId":"r1"}""")]
    [InlineData("""{"quantity":-3,"restockId":"r1"}""")]
    [InlineData("""{"restockId":"r1"}""")]
    [InlineData("""{"quantity":1}""")]
    [InlineData("""{"quantity":1,"restockId":"bad id||x"}""")]
    [InlineData("""{"quantity":"many","restockId":"r1"}""")]
    public async Task Restock_InvalidPayload_400AndNothingWritten(string body)
    {
        var sku = InventoryEnvironment.NewId("sku");

        var response = await inventory.Http.PostAsync($"/stock/{sku}/restock", Json(body), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NotFound, (await inventory.Http.GetAsync($"/stock/{sku}", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Reserve_AllLinesAvailable_201Reserved_ReplayIs200AndTakesNothingMore()
    {
        var (a, b) = (await inventory.NewSkuAsync(5), await inventory.NewSkuAsync(5));
        var orderId = InventoryEnvironment.NewId("order");

        var created = await inventory.ReserveAsync(orderId, (b, 2), (a, 1));
        var replay = await inventory.ReserveAsync(orderId, (a, 1), (b, 2));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var body = await replay.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("Reserved", body.GetProperty("status").GetString());
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), body.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("sku").GetString()));
        await AssertStockAsync(a, available: 4, reserved: 1);
        await AssertStockAsync(b, available: 3, reserved: 2);
    }

    [Fact]
    public async Task Reserve_OneLineShort_409WithShortages_NothingTaken_ReplaySame409()
    {
        var (plenty, scarce) = (await inventory.NewSkuAsync(10), await inventory.NewSkuAsync(1));
        var orderId = InventoryEnvironment.NewId("order");

        var rejected = await inventory.ReserveAsync(orderId, (plenty, 3), (scarce, 2));
        var replay = await inventory.ReserveAsync(orderId, (plenty, 3), (scarce, 2));

        foreach (var response in new[] { rejected, replay })
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict);
            Assert.Equal("Insufficient stock", problem.GetProperty("title").GetString());
            var shortage = Assert.Single(problem.GetProperty("shortages").EnumerateArray());
            Assert.Equal(scarce, shortage.GetProperty("sku").GetString());
            Assert.Equal(2, shortage.GetProperty("requested").GetInt32());
            Assert.Equal(1, shortage.GetProperty("available").GetInt64());
        }

        await AssertStockAsync(plenty, available: 10, reserved: 0);
        await AssertStockAsync(scarce, available: 1, reserved: 0);
        Assert.Equal("Rejected", (await ReservationAsync(orderId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reserve_SameOrderDifferentLines_422()
    {
        var sku = await inventory.NewSkuAsync(10);
        var orderId = InventoryEnvironment.NewId("order");
        await inventory.ReserveAsync(orderId, (sku, 1));

        var response = await inventory.ReserveAsync(orderId, (sku, 2));

        await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        await AssertStockAsync(sku, available: 9, reserved: 1);
    }

    [Theory]
    [InlineData("""{"orderId":"o-1","lines":[{"sku":"S","quantity":0}]}""")]
    [InlineData("""{"orderId":"o-1","lines":[{"sku":"S","quantity":-1}]}""")]
    [InlineData("""{"orderId":"o-1","lines":[{"sku":"S","quantity":1},{"sku":"S","quantity":2}]}""")]
    [InlineData("""{"orderId":"o-1","lines":[]}""")]
    [InlineData("""{"orderId":"o-1"}""")]
    [InlineData("""{"orderId":"","lines":[{"sku":"S","quantity":1}]}""")]
    [InlineData("""{"orderId":"o||1","lines":[{"sku":"S","quantity":1}]}""")]
    [InlineData("""{"orderId":"o-1","lines":[{"sku":null,"quantity":1}]}""")]
    [InlineData("""{"orderId":"o-1","lines":"S"}""")]
    [InlineData("""not json""")]
    public async Task Reserve_InvalidPayload_400AndNothingWritten(string template)
    {
        var sku = await inventory.NewSkuAsync(5);
        var orderId = InventoryEnvironment.NewId("order");
        var body = template.Replace("\"o-1\"", $"\"{orderId}\"", StringComparison.Ordinal).Replace("\"S\"", $"\"{sku}\"", StringComparison.Ordinal);

        var response = await inventory.Http.PostAsync("/reservations", Json(body), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NotFound, (await inventory.Http.GetAsync($"/reservations/{orderId}", Cancel)).StatusCode);
        await AssertStockAsync(sku, available: 5, reserved: 0);
    }

    [Fact]
    public async Task Reserve_UnknownSku_404_NoReservationRecorded_NothingTaken()
    {
        var known = await inventory.NewSkuAsync(5);
        var unknown = InventoryEnvironment.NewId("ghost");
        var orderId = InventoryEnvironment.NewId("order");

        var response = await inventory.ReserveAsync(orderId, (known, 1), (unknown, 1));

        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal([unknown], problem.GetProperty("skus").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await inventory.Http.GetAsync($"/reservations/{orderId}", Cancel)).StatusCode);
        await AssertStockAsync(known, available: 5, reserved: 0);
    }

    [Fact]
    public async Task Reserve_OversizedBody_413Problem()
    {
        var body = JsonSerializer.Serialize(new { orderId = "o-big", lines = Enumerable.Range(0, 4000).Select(i => new { sku = $"sku-{i:D10}", quantity = 1 }) });

        var response = await inventory.Http.PostAsync("/reservations", Json(body), Cancel);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(HttpStatusCode.NotFound, (await inventory.Http.GetAsync("/reservations/o-big", Cancel)).StatusCode);
    }

    [Fact]
    public async Task UnknownReservation_GetReleaseCommitResume_404ExceptReleaseTombstone()
    {
        var orderId = InventoryEnvironment.NewId("order");

        await AssertProblemAsync(await inventory.Http.GetAsync($"/reservations/{orderId}", Cancel), HttpStatusCode.NotFound);
        await AssertProblemAsync(await inventory.PostAsync($"/reservations/{orderId}/commit"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await inventory.PostAsync($"/reservations/{orderId}/resume"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await inventory.Http.GetAsync("/reservations/bad||id", Cancel), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ConcurrentReservations_LastUnits_ExactlyStockReserved_NeverNegative()
    {
        var sku = await inventory.NewSkuAsync(10);
        var orders = Enumerable.Range(0, 30).Select(_ => InventoryEnvironment.NewId("order")).ToList();

        var responses = await Task.WhenAll(orders.Select(o => inventory.ReserveAsync(o, (sku, 1))));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        await AssertStockAsync(sku, available: 0, reserved: 10);
        var statuses = await Task.WhenAll(orders.Select(async o => (await ReservationAsync(o)).GetProperty("status").GetString()));
        Assert.Equal(10, statuses.Count(s => s == "Reserved"));
        Assert.Equal(20, statuses.Count(s => s == "Rejected"));
    }

    [Fact]
    public async Task ConcurrentDuplicates_SameOrder_OneReservationTakenOnce()
    {
        var sku = await inventory.NewSkuAsync(10);
        var orderId = InventoryEnvironment.NewId("order");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => inventory.ReserveAsync(orderId, (sku, 3))));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        await AssertStockAsync(sku, available: 7, reserved: 3);
    }

    [Fact]
    public async Task Release_Twice_UnitsBackOnce_200Both()
    {
        var sku = await inventory.NewSkuAsync(5);
        var orderId = InventoryEnvironment.NewId("order");
        await inventory.ReserveAsync(orderId, (sku, 2));

        var first = await inventory.PostAsync($"/reservations/{orderId}/release");
        var second = await inventory.PostAsync($"/reservations/{orderId}/release");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("Released", (await second.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("status").GetString());
        await AssertStockAsync(sku, available: 5, reserved: 0);
        await AssertProblemAsync(await inventory.PostAsync($"/reservations/{orderId}/commit"), HttpStatusCode.Conflict);
        await AssertProblemAsync(await inventory.ReserveAsync(orderId, (sku, 2)), HttpStatusCode.Conflict);
        await AssertStockAsync(sku, available: 5, reserved: 0);
    }

    [Fact]
    public async Task Commit_Twice_UnitsLeaveOnce_ReleaseAfterwards409()
    {
        var sku = await inventory.NewSkuAsync(5);
        var orderId = InventoryEnvironment.NewId("order");
        await inventory.ReserveAsync(orderId, (sku, 2));

        var first = await inventory.PostAsync($"/reservations/{orderId}/commit");
        var second = await inventory.PostAsync($"/reservations/{orderId}/commit");
        var release = await inventory.PostAsync($"/reservations/{orderId}/release");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await AssertProblemAsync(release, HttpStatusCode.Conflict);
        await AssertStockAsync(sku, available: 3, reserved: 0, committed: 2);
    }

    [Fact]
    public async Task Commit_Rejected_409()
    {
        var sku = await inventory.NewSkuAsync(1);
        var orderId = InventoryEnvironment.NewId("order");
        await inventory.ReserveAsync(orderId, (sku, 2));

        await AssertProblemAsync(await inventory.PostAsync($"/reservations/{orderId}/commit"), HttpStatusCode.Conflict);
        await AssertStockAsync(sku, available: 1, reserved: 0);
    }

    [Fact]
    public async Task ReleaseBeforeReserve_TombstoneRefusesLateReserve_StockUntouched()
    {
        var sku = await inventory.NewSkuAsync(5);
        var orderId = InventoryEnvironment.NewId("order");

        var release = await inventory.PostAsync($"/reservations/{orderId}/release");
        var lateReserve = await inventory.ReserveAsync(orderId, (sku, 2));

        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        var problem = await AssertProblemAsync(lateReserve, HttpStatusCode.Conflict);
        Assert.Equal("Already released", problem.GetProperty("title").GetString());
        await AssertStockAsync(sku, available: 5, reserved: 0);
    }

    [Fact]
    public async Task ReserveRacingRelease_SameOrder_EndsReleasedWithEveryUnitBack()
    {
        var (a, b) = (await inventory.NewSkuAsync(10), await inventory.NewSkuAsync(10));
        var orders = Enumerable.Range(0, 10).Select(_ => InventoryEnvironment.NewId("order")).ToList();

        await Task.WhenAll(orders.SelectMany(o => new[] { inventory.ReserveAsync(o, (a, 1), (b, 1)), inventory.PostAsync($"/reservations/{o}/release") }));

        var statuses = await Task.WhenAll(orders.Select(async o => (await ReservationAsync(o)).GetProperty("status").GetString()));
        Assert.All(statuses, s => Assert.Equal("Released", s));
        await AssertStockAsync(a, available: 10, reserved: 0);
        await AssertStockAsync(b, available: 10, reserved: 0);
    }

    [Fact]
    public async Task CrashMidReserve_PendingWithOneLineTaken_ResumeCompletesReserved()
    {
        var (a, b) = (await inventory.NewSkuAsync(5), await inventory.NewSkuAsync(5));
        var orderId = InventoryEnvironment.NewId("order");
        await SimulateCrashAfterFirstLineAsync(orderId, DateTimeOffset.UtcNow, (a, 2), (b, 3));
        await AssertStockAsync(a, available: 3, reserved: 2);

        var resume = await inventory.PostAsync($"/reservations/{orderId}/resume");
        var replay = await inventory.ReserveAsync(orderId, (a, 2), (b, 3));

        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.Equal("Reserved", (await resume.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        await AssertStockAsync(a, available: 3, reserved: 2);
        await AssertStockAsync(b, available: 2, reserved: 3);
    }

    [Fact]
    public async Task CrashMidReserve_RemainingLineShort_RepeatOfReserveRejectsAndGivesFirstLineBack()
    {
        var (a, b) = (await inventory.NewSkuAsync(5), await inventory.NewSkuAsync(1));
        var orderId = InventoryEnvironment.NewId("order");
        await SimulateCrashAfterFirstLineAsync(orderId, DateTimeOffset.UtcNow, (a, 2), (b, 3));

        var repeat = await inventory.ReserveAsync(orderId, (a, 2), (b, 3));

        await AssertProblemAsync(repeat, HttpStatusCode.Conflict);
        await AssertStockAsync(a, available: 5, reserved: 0);
        await AssertStockAsync(b, available: 1, reserved: 0);
    }

    [Fact]
    public async Task CrashMidReserve_PendingPastDeadline_ResumeRollsBack()
    {
        var (a, b) = (await inventory.NewSkuAsync(5), await inventory.NewSkuAsync(5));
        var orderId = InventoryEnvironment.NewId("order");
        await SimulateCrashAfterFirstLineAsync(orderId, DateTimeOffset.UtcNow.AddHours(-1), (a, 2), (b, 3));
        Assert.True((await ReservationAsync(orderId)).GetProperty("stalled").GetBoolean());

        var resume = await inventory.PostAsync($"/reservations/{orderId}/resume");

        var body = await resume.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("Rejected", body.GetProperty("status").GetString());
        Assert.Equal(Reservation.ExpiredReason, body.GetProperty("reason").GetString());
        await AssertStockAsync(a, available: 5, reserved: 0);
        await AssertStockAsync(b, available: 5, reserved: 0);
    }

    [Fact]
    public async Task CrashAfterDecision_RejectedButLinesNotGivenBack_ResumeSettlesAndPublishes()
    {
        var (a, b) = (await inventory.NewSkuAsync(5), await inventory.NewSkuAsync(1));
        var orderId = InventoryEnvironment.NewId("order");
        var pending = await SimulateCrashAfterFirstLineAsync(orderId, DateTimeOffset.UtcNow, (a, 2), (b, 3));
        var (_, etag) = await inventory.Service.Dapr.GetStateAndETagAsync<Reservation>(DaprNames.StateStore, ReservationStore.Key(orderId), cancellationToken: Cancel);
        var rejected = pending.Reject([new Shortage(b, 3, 1)], Reservation.InsufficientStockReason, DateTimeOffset.UtcNow);
        Assert.True(await inventory.Service.Dapr.TrySaveStateAsync(DaprNames.StateStore, ReservationStore.Key(orderId), rejected, etag, cancellationToken: Cancel));

        var resume = await inventory.PostAsync($"/reservations/{orderId}/resume");

        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        await AssertStockAsync(a, available: 5, reserved: 0);
        var stockEvent = await WaitForEventAsync(orderId, "StockRejected");
        Assert.Equal($"{orderId}:2", stockEvent.GetProperty("eventId").GetString());
    }

    [Fact]
    public async Task MixedConcurrentWorkload_StockConserved()
    {
        var skus = new[] { await inventory.NewSkuAsync(20), await inventory.NewSkuAsync(15), await inventory.NewSkuAsync(10) };
        var operations = Enumerable.Range(0, 40).Select(async i =>
        {
            var orderId = InventoryEnvironment.NewId("order");
            var lines = skus.Where((_, k) => (i + k) % 3 != 0).Select(s => (s, 1 + ((i + s.Length) % 3))).ToArray();
            var action = i % 4;
            await Task.Yield();
            if (action == 3)
            {
                await inventory.PostAsync($"/reservations/{orderId}/release");
            }

            await inventory.ReserveAsync(orderId, lines);
            if (action == 1)
            {
                await inventory.PostAsync($"/reservations/{orderId}/commit");
            }
            else if (action == 2)
            {
                await Task.WhenAll(inventory.PostAsync($"/reservations/{orderId}/release"), inventory.PostAsync($"/reservations/{orderId}/commit"));
            }
        }).Concat(Enumerable.Range(0, 5).Select(i => inventory.Http.PostAsJsonAsync($"/stock/{skus[i % 3]}/restock", new { quantity = 2, restockId = $"mixed-{i}" }, Cancel)));

        await Task.WhenAll(operations);

        foreach (var sku in skus)
        {
            var stock = await inventory.StockAsync(sku);
            var (available, reserved, committed, restocked) = (stock.GetProperty("available").GetInt64(), stock.GetProperty("reserved").GetInt64(), stock.GetProperty("committed").GetInt64(), stock.GetProperty("restocked").GetInt64());
            Assert.True(available >= 0 && reserved >= 0 && committed >= 0, stock.ToString());
            Assert.Equal(restocked, available + reserved + committed);
            var record = await inventory.Service.Dapr.GetStateAsync<StockItem>(DaprNames.StateStore, StockStore.Key(sku), cancellationToken: Cancel);
            Assert.Equal(reserved, record.Holds.Values.Where(h => h.State == HoldState.Held).Sum(h => h.Quantity));
        }
    }

    [Fact]
    public async Task Events_OnInventoryStream_ExactTypeAndFields()
    {
        var sku = await inventory.NewSkuAsync(5);
        var scarce = await inventory.NewSkuAsync(1);
        var (reservedOrder, rejectedOrder) = (InventoryEnvironment.NewId("order"), InventoryEnvironment.NewId("order"));
        await inventory.ReserveAsync(reservedOrder, (sku, 2));
        await inventory.PostAsync($"/reservations/{reservedOrder}/commit");
        await inventory.ReserveAsync(rejectedOrder, (scarce, 2));
        var releasedOrder = InventoryEnvironment.NewId("order");
        await inventory.ReserveAsync(releasedOrder, (sku, 1));
        await inventory.PostAsync($"/reservations/{releasedOrder}/release");

        var reserved = await WaitForEventAsync(reservedOrder, "StockReserved");
        var committed = await WaitForEventAsync(reservedOrder, "StockCommitted");
        var rejected = await WaitForEventAsync(rejectedOrder, "StockRejected");
        var released = await WaitForEventAsync(releasedOrder, "StockReleased");

        AssertFields(reserved, "eventId", "orderId", "version", "lines", "occurredAt");
        Assert.Equal($"{reservedOrder}:2", reserved.GetProperty("eventId").GetString());
        Assert.Equal(2, reserved.GetProperty("version").GetInt64());
        var line = Assert.Single(reserved.GetProperty("lines").EnumerateArray());
        Assert.Equal(sku, line.GetProperty("sku").GetString());
        Assert.Equal(2, line.GetProperty("quantity").GetInt32());
        AssertFields(committed, "eventId", "orderId", "version", "lines", "occurredAt");
        Assert.Equal(3, committed.GetProperty("version").GetInt64());
        AssertFields(rejected, "eventId", "orderId", "version", "reason", "shortages", "occurredAt");
        var shortage = Assert.Single(rejected.GetProperty("shortages").EnumerateArray());
        AssertFields(shortage, "sku", "requested", "available");
        AssertFields(released, "eventId", "orderId", "version", "lines", "occurredAt");
        Assert.Equal(3, released.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Events_ReleaseBeforeReserve_OneStockReleasedWithNoLines()
    {
        var orderId = InventoryEnvironment.NewId("order");

        await inventory.PostAsync($"/reservations/{orderId}/release");
        await inventory.PostAsync($"/reservations/{orderId}/release");

        var released = await WaitForEventAsync(orderId, "StockReleased");
        Assert.Empty(released.GetProperty("lines").EnumerateArray());
        Assert.Equal($"{orderId}:1", released.GetProperty("eventId").GetString());
    }

    /// <summary>What a reserve that crashed after one line leaves: a Pending record and the first given line taken.</summary>
    private async Task<Reservation> SimulateCrashAfterFirstLineAsync(string orderId, DateTimeOffset createdAt, params (string Sku, int Quantity)[] lines)
    {
        var dapr = inventory.Service.Dapr;
        var pending = Reservation.Start(orderId, ReservationLines.Normalize(lines.Select(l => new ReservationLine(l.Sku, l.Quantity)))!, createdAt);
        await dapr.SaveStateAsync(DaprNames.StateStore, ReservationStore.Key(orderId), pending, new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: Cancel);
        var first = new ReservationLine(lines[0].Sku, lines[0].Quantity);
        var (item, etag) = await dapr.GetStateAndETagAsync<StockItem>(DaprNames.StateStore, StockStore.Key(first.Sku), cancellationToken: Cancel);
        var (taken, outcome) = item.Take(orderId, first.Quantity, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        Assert.Equal(TakeOutcome.Taken, outcome);
        Assert.True(await dapr.TrySaveStateAsync(DaprNames.StateStore, StockStore.Key(first.Sku), taken, etag, cancellationToken: Cancel));
        return pending;
    }

    /// <summary>Waits for the CloudEvent of <paramref name="type"/> for the order on the Redis stream and answers its data.</summary>
    private async Task<JsonElement> WaitForEventAsync(string orderId, string type)
    {
        var events = await Eventually.MatchAsync(
            async () => (await inventory.Environment.Redis.Database.StreamRangeAsync(DaprNames.Topic))
                .Select(entry => JsonDocument.Parse((byte[])entry["data"]!).RootElement)
                .Where(ce => ce.GetProperty("type").GetString() == type && ce.GetProperty("data").GetProperty("orderId").GetString() == orderId)
                .ToList(),
            found => found.Count > 0,
            TimeSpan.FromSeconds(20),
            $"{type} of {orderId} on stream {DaprNames.Topic}");
        var cloudEvent = events[0];
        Assert.Equal("application/json", cloudEvent.GetProperty("datacontenttype").GetString());
        Assert.Equal(DaprNames.AppId, cloudEvent.GetProperty("source").GetString());
        Assert.All(events, e => Assert.Equal(cloudEvent.GetProperty("data").GetProperty("eventId").GetString(), e.GetProperty("data").GetProperty("eventId").GetString()));
        return cloudEvent.GetProperty("data");
    }

    private static void AssertFields(JsonElement element, params string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

    private async Task AssertStockAsync(string sku, long available, long reserved, long committed = 0)
    {
        var stock = await inventory.StockAsync(sku);
        Assert.Equal((available, reserved, committed), (stock.GetProperty("available").GetInt64(), stock.GetProperty("reserved").GetInt64(), stock.GetProperty("committed").GetInt64()));
    }

    private async Task<JsonElement> ReservationAsync(string orderId)
    {
        var response = await inventory.Http.GetAsync($"/reservations/{orderId}", Cancel);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
    }

    private async Task<HttpResponseMessage> RestockWithIfMatchAsync(string sku, string etag, string restockId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/stock/{sku}/restock") { Content = JsonContent.Create(new { quantity = 1, restockId }) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return await inventory.Http.SendAsync(request, Cancel);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

/// <summary>The suite on the production store, state.redis (transactions without rollback).</summary>
public sealed class InventoryOnRedisTests(RedisInventoryEnvironment inventory)
    : InventoryScenarios<RedisInventoryEnvironment>(inventory), IClassFixture<RedisInventoryEnvironment>;

/// <summary>The same suite after swapping only inventory-store.yaml to state.postgresql v2.</summary>
public sealed class InventoryOnPostgresTests(PostgresInventoryEnvironment inventory)
    : InventoryScenarios<PostgresInventoryEnvironment>(inventory), IClassFixture<PostgresInventoryEnvironment>;
