using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Platform.Testing;

namespace Sidecar.Tests.Outbox;

/// <summary>Contract §3: the transactional outbox as an app sees it, with the real SDK and a real subscriber.</summary>
public sealed class OutboxTests(BackendsFixture backends)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Stores => ["postgres-v1", "postgres-v2", "redis", "in-memory"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Transaction_JsonContentType_DeliversCloudEventWithMarkerIdAndVerbatimMetadata(string store)
    {
        var ct = TestContext.Current.CancellationToken;
        var appId = NewAppId();
        var topic = NewTopic();
        await using var app = await SubscriberAsync(topic);
        await using var sidecar = await StartAsync(appId, store, app, topic);

        await sidecar.Client.ExecuteStateTransactionAsync("orders-store",
        [
            Upsert("order-1", new OrderPlaced("order-1", 42.10m), new() { ["contentType"] = "application/json", ["type"] = "OrderPlaced" }),
        ], cancellationToken: ct);

        var delivery = await Eventually.MatchAsync(() => app.Recorder.To("/orders-events"), r => r.Count > 0, Deadline, "outbox event delivered");
        var ce = JsonDocument.Parse(delivery[0].Body).RootElement;
        Assert.StartsWith("outbox-", ce.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(appId, ce.GetProperty("source").GetString());
        Assert.Equal("OrderPlaced", ce.GetProperty("type").GetString());
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal("application/json", ce.GetProperty("contentType").GetString());
        Assert.Equal(topic, ce.GetProperty("topic").GetString());
        Assert.Equal("pubsub", ce.GetProperty("pubsubname").GetString());
        Assert.Equal("", ce.GetProperty("traceparent").GetString());
        Assert.Equal("order-1", ce.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal("application/cloudevents+json", delivery[0].Headers["Content-Type"]);
        var (state, _) = await sidecar.Client.GetStateAndETagAsync<OrderPlaced>("orders-store", "order-1", cancellationToken: ct);
        Assert.Equal(42.10m, state.Total);
    }

    [Fact]
    public async Task SaveState_OnOutboxStore_PublishesNothingOnlyTransactionsDo()
    {
        var ct = TestContext.Current.CancellationToken;
        var topic = NewTopic();
        await using var app = await SubscriberAsync(topic);
        await using var sidecar = await StartAsync(NewAppId(), "postgres-v2", app, topic);

        await sidecar.Client.SaveStateAsync("orders-store", "saved-directly", new OrderPlaced("saved-directly", 1m), cancellationToken: ct);
        await sidecar.Client.ExecuteStateTransactionAsync("orders-store",
            [Upsert("in-transaction", new OrderPlaced("in-transaction", 2m), new() { ["contentType"] = "application/json" })], cancellationToken: ct);

        await Eventually.MatchAsync(() => app.Recorder.To("/orders-events"), r => r.Count > 0, Deadline, "transaction event delivered");
        var ids = app.Recorder.To("/orders-events").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("orderId").GetString()).ToList();
        Assert.Equal(["in-transaction"], ids);
    }

    [Theory]
    [InlineData("postgres-v2")]
    [InlineData("redis")]
    public async Task Transaction_WithProjection_PublishesProjectionAndStoresTheRealValue(string store)
    {
        var ct = TestContext.Current.CancellationToken;
        var topic = NewTopic();
        await using var app = await SubscriberAsync(topic);
        await using var sidecar = await StartAsync(NewAppId(), store, app, topic);

        await sidecar.Client.ExecuteStateTransactionAsync("orders-store",
        [
            Upsert("order-7", new OrderPlaced("order-7", 70m), new() { ["contentType"] = "application/json" }),
            Upsert("order-7", new OrderPlaced("projected-7", 7m), new() { ["contentType"] = "application/json", ["outbox.projection"] = "true" }),
        ], cancellationToken: ct);

        var delivery = await Eventually.MatchAsync(() => app.Recorder.To("/orders-events"), r => r.Count > 0, Deadline, "projection delivered");
        Assert.Equal("projected-7", JsonDocument.Parse(delivery[0].Body).RootElement.GetProperty("data").GetProperty("orderId").GetString());
        var (state, _) = await sidecar.Client.GetStateAndETagAsync<OrderPlaced>("orders-store", "order-7", cancellationToken: ct);
        Assert.Equal("order-7", state.OrderId);
    }

    [Fact]
    public async Task Transaction_WithoutContentType_IsTextPlainAndJsonSubscriberAnswers415UntilDeadLetter()
    {
        // The trap of contract §3.3: without contentType the data is a JSON string, UseCloudEvents hands the
        // endpoint text/plain, minimal-API JSON binding answers 415, and daprd treats that as retriable.
        var ct = TestContext.Current.CancellationToken;
        var topic = NewTopic();
        await using var app = await SubscriberAsync(topic, deadLetterTopic: topic + "-dlq");
        var resiliency = """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: delivery
            spec:
              policies:
                retries:
                  twice: { policy: constant, duration: 50ms, maxRetries: 2 }
              targets:
                components:
                  pubsub:
                    inbound:
                      retry: twice
            ---
            """;
        await using var sidecar = await StartAsync(NewAppId(), "postgres-v2", app, topic, extraYaml: resiliency);

        await sidecar.Client.ExecuteStateTransactionAsync("orders-store",
            [Upsert("order-415", new OrderPlaced("order-415", 1m), new())], cancellationToken: ct);

        var dead = await Eventually.MatchAsync(() => app.Recorder.To("/dead-letters"), r => r.Count > 0, Deadline, "message dead-lettered");
        var attempts = app.Recorder.To("/orders-events");
        Assert.Equal(3, attempts.Count);
        var ce = JsonDocument.Parse(attempts[0].Body).RootElement;
        Assert.Equal("text/plain", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal(JsonValueKind.String, ce.GetProperty("data").ValueKind);
        Assert.Equal(ce.GetProperty("id").GetString(), JsonDocument.Parse(dead[0].Body).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Transaction_EtagMismatch_FailsWithInternalAndItsEventIsDiscarded()
    {
        var ct = TestContext.Current.CancellationToken;
        var topic = NewTopic();
        await using var app = await SubscriberAsync(topic);
        await using var sidecar = await StartAsync(NewAppId(), "postgres-v2", app, topic, ("outboxDiscardWhenMissingState", "true"));
        await sidecar.Client.SaveStateAsync("orders-store", "order-9", new OrderPlaced("order-9", 9m), cancellationToken: ct);

        var error = await Assert.ThrowsAsync<DaprException>(() => sidecar.Client.ExecuteStateTransactionAsync("orders-store",
        [
            Upsert("order-9", new OrderPlaced("order-9", 99m), new() { ["contentType"] = "application/json" }, etag: Guid.NewGuid().ToString()),
        ], cancellationToken: ct));
        await sidecar.Client.ExecuteStateTransactionAsync("orders-store",
            [Upsert("order-10", new OrderPlaced("order-10", 10m), new() { ["contentType"] = "application/json" })], cancellationToken: ct);

        Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        await Eventually.MatchAsync(() => app.Recorder.To("/orders-events"), r => r.Count > 0, Deadline, "the good transaction's event");
        var ids = app.Recorder.To("/orders-events").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("orderId").GetString()).ToList();
        Assert.Equal(["order-10"], ids);
        var (state, _) = await sidecar.Client.GetStateAndETagAsync<OrderPlaced>("orders-store", "order-9", cancellationToken: ct);
        Assert.Equal(9m, state.Total);
    }

    [Fact]
    public async Task Delivered_MarkerRowIsDeletedAndInternalTopicIsNamedLikeDaprd()
    {
        var ct = TestContext.Current.CancellationToken;
        var appId = NewAppId();
        var database = await backends.Postgres.CreateDatabaseAsync("outbox");
        var topic = NewTopic();
        await using var app = await SubscriberAsync(topic);
        var yaml = ComponentYaml.PostgresV2("orders-store", database, ("outboxPublishPubsub", "pubsub"), ("outboxPublishTopic", topic))
            + ComponentYaml.RedisPubSub("pubsub", backends.Redis.Address);
        await using var sidecar = await TestSidecar.StartAsync(appId, yaml, app.Port);
        await WaitReadyAsync(sidecar);

        await sidecar.Client.ExecuteStateTransactionAsync("orders-store",
            [Upsert("order-m", new OrderPlaced("order-m", 5m), new() { ["contentType"] = "application/json" })], cancellationToken: ct);
        var delivery = await Eventually.MatchAsync(() => app.Recorder.To("/orders-events"), r => r.Count > 0, Deadline, "event delivered");
        var markerId = JsonDocument.Parse(delivery[0].Body).RootElement.GetProperty("id").GetString()!;

        await using var connection = new NpgsqlConnection(backends.Postgres.NpgsqlConnectionString(DatabaseName(database)));
        await connection.OpenAsync(ct);
        await Eventually.MatchAsync(async () =>
        {
            await using var count = new NpgsqlCommand("SELECT count(*) FROM state WHERE key = $1", connection) { Parameters = { new() { Value = markerId } } };
            return (long)(await count.ExecuteScalarAsync(ct))!;
        }, n => n == 0, Deadline, "marker row deleted after relay");
        Assert.True(await backends.Redis.Database.KeyExistsAsync($"default{appId}{topic}outbox"));
    }

    [Fact]
    public async Task RelayCrash_BetweenCommitAndPublish_EventIsStillDeliveredAfterRedelivery()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await backends.Postgres.CreateDatabaseAsync("outbox");
        var topic = NewTopic();
        await using var app = await SubscriberAsync(topic);
        var yaml = ComponentYaml.PostgresV2("orders-store", database, ("outboxPublishPubsub", "pubsub"), ("outboxPublishTopic", topic))
            + ComponentYaml.RedisPubSub("pubsub", backends.Redis.Address, ("processingTimeout", "1s"), ("redeliverInterval", "500ms"));
        await using var sidecar = await TestSidecar.StartAsync(NewAppId(), yaml, app.Port,
            o => o with { Faults = Sidecar.Faults.FaultOptions.Parse("seed=1,outboxCrash=1") });
        await WaitReadyAsync(sidecar);

        await sidecar.Client.ExecuteStateTransactionAsync("orders-store",
            [Upsert("order-c", new OrderPlaced("order-c", 3m), new() { ["contentType"] = "application/json" })], cancellationToken: ct);

        var delivery = await Eventually.MatchAsync(() => app.Recorder.To("/orders-events"), r => r.Count > 0, Deadline, "event delivered after the relay crashed once");
        Assert.Equal("order-c", JsonDocument.Parse(delivery[0].Body).RootElement.GetProperty("data").GetProperty("orderId").GetString());
    }

    private async Task<TestSidecar> StartAsync(string appId, string store, TestApp app, string topic, params (string Name, string Value)[] storeExtra) =>
        await StartAsync(appId, store, app, topic, "", storeExtra);

    private async Task<TestSidecar> StartAsync(string appId, string store, TestApp app, string topic, string extraYaml, params (string Name, string Value)[] storeExtra)
    {
        (string, string)[] outbox = [("outboxPublishPubsub", "pubsub"), ("outboxPublishTopic", topic), .. storeExtra];
        var storeYaml = store switch
        {
            "postgres-v1" => ComponentYaml.PostgresV1("orders-store", await backends.Postgres.CreateDatabaseAsync("outbox"), outbox),
            "postgres-v2" => ComponentYaml.PostgresV2("orders-store", await backends.Postgres.CreateDatabaseAsync("outbox"), outbox),
            "redis" => ComponentYaml.RedisState("orders-store", backends.Redis.Address, outbox),
            "in-memory" => ComponentYaml.InMemoryState("orders-store", outbox),
            _ => throw new ArgumentOutOfRangeException(nameof(store), store, "unknown store"),
        };
        var sidecar = await TestSidecar.StartAsync(appId, storeYaml + ComponentYaml.RedisPubSub("pubsub", backends.Redis.Address) + extraYaml, app.Port);
        await WaitReadyAsync(sidecar);
        return sidecar;
    }

    private static async Task WaitReadyAsync(TestSidecar sidecar) =>
        await Eventually.MatchAsync(() => sidecar.Client.CheckHealthAsync(TestContext.Current.CancellationToken), ok => ok, Deadline, "sidecar subscribed");

    private static Task<TestApp> SubscriberAsync(string topic, string? deadLetterTopic = null) => TestApp.StartAsync(web =>
    {
        web.MapPost("/orders-events", (OrderPlaced order) => Results.Ok())
            .WithTopic(new TopicOptions { PubsubName = "pubsub", Name = topic, DeadLetterTopic = deadLetterTopic });
        if (deadLetterTopic is not null)
        {
            web.MapPost("/dead-letters", () => Results.Ok()).WithTopic("pubsub", deadLetterTopic);
        }
    });

    private static StateTransactionRequest Upsert<T>(string key, T value, Dictionary<string, string> metadata, string? etag = null) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web), StateOperationType.Upsert, etag, metadata);

    // Redis consumer groups start at the beginning of a stream, as in contrib: every test needs its own topic.
    private static string NewTopic() => "orders-" + Guid.NewGuid().ToString("N")[..8];

    private static string NewAppId() => "outbox-" + Guid.NewGuid().ToString("N")[..8];

    private static string DatabaseName(string connectionString) =>
        connectionString.Split(' ').Single(p => p.StartsWith("database=", StringComparison.Ordinal))["database=".Length..];

    private sealed record OrderPlaced(string OrderId, decimal Total);
}
