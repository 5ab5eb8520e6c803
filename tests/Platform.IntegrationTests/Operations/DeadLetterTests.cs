using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Operations.DeadLetters;
using Platform.IntegrationTests.Infrastructure;
using Platform.Testing;

namespace Platform.IntegrationTests.Operations;

/// <summary>
/// operations keeps what the platform's subscribers give up on: every dead-letter topic is consumed, each event is
/// kept once with the number of copies that arrived, listed and readable whole, and replayed on request as the same
/// CloudEvent to the topic it was first published to.
/// </summary>
public sealed class DeadLetterTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnknownEvent_DroppedByOrders_KeptOnceListedAndReadableWhole()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var orders = await environment.StartServiceAsync<global::Orders.OrdersOptions>("orders");
        var operations = await environment.StartServiceAsync<global::Operations.OperationsOptions>("operations");
        var marker = Guid.NewGuid().ToString("N");

        // orders answers DROP for a type it has no route for: its sidecar dead-letters it to catalog-dlq.
        await orders.Dapr.PublishEventAsync("pubsub", "catalog", new { eventId = marker }, Type("ProductTeleported"), Cancellation);

        var page = await Eventually.MatchAsync(
            () => operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters?deadLetterTopic=catalog-dlq", Cancellation)!,
            p => p!.Total == 1,
            Timeout,
            "operations keeps the dead letter");
        var summary = Assert.Single(page!.Items);
        Assert.Equal(("catalog-dlq", "catalog", "ProductTeleported", 1, 0), (summary.DeadLetterTopic, summary.Topic, summary.Type, summary.Copies, summary.Replays));

        var whole = await operations.Http.GetFromJsonAsync<JsonObject>($"/dead-letters/{summary.Id}", Cancellation);
        Assert.Equal(marker, (string?)whole!["event"]!["data"]!["eventId"]);
        Assert.Equal(summary.EventId, (string?)whole["event"]!["id"]);

        // Another dead-letter topic's filter does not list it.
        var other = await operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters?deadLetterTopic=orders-dlq", Cancellation);
        Assert.Equal(0, other!.Total);
    }

    [Fact]
    public async Task SameEventArrivingTwice_OneDeadLetterWithTwoCopies()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var operations = await environment.StartServiceAsync<global::Operations.OperationsOptions>("operations");
        var cloudEvent = DeadLetteredEvent("orders", "OrderTeleported", new JsonObject { ["eventId"] = Guid.NewGuid().ToString("N") });

        // Two subscribers of orders gave up on the same event: two copies of its bytes on orders-dlq.
        await PublishDeadLetterAsync(operations, "orders-dlq", cloudEvent);
        await PublishDeadLetterAsync(operations, "orders-dlq", cloudEvent);

        var page = await Eventually.MatchAsync(
            () => operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters", Cancellation)!,
            p => p!.Items.Sum(i => i.Copies) == 2,
            Timeout,
            "both copies arrive");
        var summary = Assert.Single(page!.Items);
        Assert.Equal((2, (string?)cloudEvent["id"]), (summary.Copies, summary.EventId));
    }

    [Fact]
    public async Task ManyAtOnceOnEveryDeadLetterTopic_EveryOneKeptAndListed()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var operations = await environment.StartServiceAsync<global::Operations.OperationsOptions>("operations");
        string[] topics = ["catalog", "orders", "payments", "inventory"];

        // The four subscriptions deliver side by side, so new dead letters race for the index.
        await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
        {
            var topic = topics[i % topics.Length];
            return PublishDeadLetterAsync(operations, topic + "-dlq", DeadLetteredEvent(topic, "Teleported", new JsonObject { ["n"] = i }));
        }));

        var page = await Eventually.MatchAsync(
            () => operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters", Cancellation)!,
            p => p!.Total == 24,
            Timeout,
            "every dead letter is kept and listed");
        Assert.Equal(24, page!.Items.Select(i => i.Id).Distinct().Count());
        Assert.All(topics, topic => Assert.Equal(6, page.Items.Count(i => i.DeadLetterTopic == topic + "-dlq")));
    }

    [Fact]
    public async Task Replay_ProductEventOrdersNeverApplied_ReachesOrdersReplicaAsTheSameEvent()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var orders = await environment.StartServiceAsync<global::Orders.OrdersOptions>("orders");
        var operations = await environment.StartServiceAsync<global::Operations.OperationsOptions>("operations");
        var sku = $"MUG-{Guid.NewGuid():N}"[..20];
        var product = new JsonObject
        {
            ["eventId"] = Guid.NewGuid().ToString("N"),
            ["sku"] = sku,
            ["version"] = 1,
            ["name"] = "Mug",
            ["price"] = 12.5m,
            ["currency"] = "EUR",
            ["active"] = true,
            ["occurredAt"] = DateTimeOffset.UtcNow,
        };
        // A ProductCreated that orders gave up on: it sits on catalog-dlq, so orders cannot price the product yet. It
        // carries what a replay must not copy: its first publication's time and trace, and an expiration.
        var original = DeadLetteredEvent("catalog", "ProductCreated", product);
        original["time"] = "2026-01-02T03:04:05Z";
        original["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        original["expiration"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        await PublishDeadLetterAsync(operations, "catalog-dlq", original);
        var kept = await Eventually.MatchAsync(
            () => operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters", Cancellation)!,
            p => p!.Total == 1,
            Timeout,
            "operations keeps the dead letter");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PlaceAsync(orders, sku)).StatusCode);

        var replay = await operations.Http.PostAsync($"/dead-letters/{kept!.Items[0].Id}/replay", null, Cancellation);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<DeadLetterSummary>(Cancellation))!.Replays);
        var placed = await Eventually.MatchAsync(
            () => PlaceAsync(orders, sku),
            response => response.StatusCode == HttpStatusCode.Created,
            Timeout,
            "orders prices the product from the replayed ProductCreated");
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        // On the topic: the same CloudEvent (id, source, type, data), published anew (no old time, trace or expiration).
        var entries = await environment.Redis.Database.StreamRangeAsync("catalog");
        var replayed = Assert.Single(entries.Select(e => JsonNode.Parse((string)e.Values.First(v => v.Name == "data").Value!)!.AsObject()), e => (string?)e["data"]?["sku"] == sku);
        Assert.Equal(
            ((string?)original["id"], "catalog", "ProductCreated", (string?)product["eventId"]),
            ((string?)replayed["id"], (string?)replayed["source"], (string?)replayed["type"], (string?)replayed["data"]!["eventId"]));
        Assert.Null(replayed["expiration"]);
        Assert.NotEqual((string?)original["time"], (string?)replayed["time"]);
        Assert.NotEqual((string?)original["traceparent"], (string?)replayed["traceparent"]);
    }

    [Fact]
    public async Task LargerThanTheApiLimit_KeptAll()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var operations = await environment.StartServiceAsync<global::Operations.OperationsOptions>("operations");
        // Over the 64 KiB every app's API takes: the kind of event its consumers refuse, so the kind that lands here.
        var large = DeadLetteredEvent("orders", "OrderPlaced", new JsonObject { ["note"] = new string('x', 200 * 1024) });

        await PublishDeadLetterAsync(operations, "orders-dlq", large);

        var page = await Eventually.MatchAsync(
            () => operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters", Cancellation)!,
            p => p!.Total == 1,
            Timeout,
            "operations keeps the large dead letter");
        var whole = await operations.Http.GetFromJsonAsync<JsonObject>($"/dead-letters/{page!.Items[0].Id}", Cancellation);
        Assert.Equal(200 * 1024, ((string?)whole!["event"]!["data"]!["note"])!.Length);
    }

    [Fact]
    public async Task BadRequests_AnsweredAsProblems()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var operations = await environment.StartServiceAsync<global::Operations.OperationsOptions>("operations");
        // A body that is no CloudEvent is kept (never lost), but names no topic to replay to. The sidecar delivers only
        // CloudEvents to this subscription, so it is posted to the delivery route directly.
        var arrival = await operations.Http.PostAsync("/dead-letters/arrivals/payments-dlq", new StringContent("not json", Encoding.UTF8, "text/plain"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, arrival.StatusCode);
        var kept = await operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters", Cancellation);
        Assert.Equal((1, null), (kept!.Total, kept.Items[0].Topic));

        // A CloudEvent on catalog-dlq that claims to come from payments is kept, but never published to payments.
        var forged = DeadLetteredEvent("payments", "PaymentSucceeded", new JsonObject { ["orderId"] = "x" });
        await PublishDeadLetterAsync(operations, "catalog-dlq", forged);
        var both = await Eventually.MatchAsync(
            () => operations.Http.GetFromJsonAsync<DeadLetterPage>("/dead-letters", Cancellation)!,
            p => p!.Total == 2,
            Timeout,
            "operations keeps the forged dead letter");
        var notAFoundTopic = await operations.Http.PostAsync($"/dead-letters/{both!.Items[0].Id}/replay", null, Cancellation);
        var notReplayable = await operations.Http.PostAsync($"/dead-letters/{kept.Items[0].Id}/replay", null, Cancellation);
        var unknown = await operations.Http.PostAsync($"/dead-letters/{new string('0', 32)}/replay", null, Cancellation);
        var badId = await operations.Http.GetAsync("/dead-letters/not-an-id", Cancellation);
        var badLimit = await operations.Http.GetAsync("/dead-letters?limit=0", Cancellation);

        var unknownTopic = await operations.Http.PostAsync("/dead-letters/arrivals/nowhere-dlq", new StringContent("{}", Encoding.UTF8, "application/json"), Cancellation);

        Assert.Equal(
            (HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest),
            (notAFoundTopic.StatusCode, notReplayable.StatusCode, unknown.StatusCode, badId.StatusCode, badLimit.StatusCode, unknownTopic.StatusCode));
        Assert.Empty(await environment.Redis.Database.StreamRangeAsync("payments"));
        foreach (var response in new[] { notAFoundTopic, notReplayable, unknown, badId, badLimit, unknownTopic })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(await response.Content.ReadFromJsonAsync<ProblemDetails>(Cancellation));
        }
    }

    private static Dictionary<string, string> Raw => new(StringComparer.Ordinal) { ["rawPayload"] = "true" };

    private static Dictionary<string, string> Type(string type) => new(StringComparer.Ordinal) { ["cloudevent.type"] = type };

    /// <summary>A CloudEvent as daprd dead-letters it: the original message, which still names its first topic.</summary>
    private static JsonObject DeadLetteredEvent(string topic, string type, JsonObject data) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = Guid.NewGuid().ToString(),
        ["source"] = topic,
        ["type"] = type,
        ["datacontenttype"] = "application/json",
        ["topic"] = topic,
        ["pubsubname"] = "pubsub",
        ["data"] = data,
    };

    /// <summary>Raw, so the bytes arrive as they are, as daprd's dead-lettering sends them.</summary>
    private static Task PublishDeadLetterAsync(RunningService via, string deadLetterTopic, JsonObject cloudEvent) =>
        via.Dapr.PublishByteEventAsync("pubsub", deadLetterTopic, JsonSerializer.SerializeToUtf8Bytes(cloudEvent), "application/cloudevents+json", Raw, Cancellation);

    private static async Task<HttpResponseMessage> PlaceAsync(RunningService orders, string sku)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new { customerId = "dead-letter-customer", lines = new[] { new { sku, quantity = 1 } } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return await orders.Http.SendAsync(request, Cancellation);
    }
}
