using System.Text;
using Platform.Testing;
using static Sidecar.Tests.PubSub.PubSubTestBed;

namespace Sidecar.Tests.PubSub;

/// <summary>What a subscriber receives, byte for byte, from both brokers (contract §4.1, §4.3, §4.5, §4.6).</summary>
public sealed class PubSubDeliveryTests(BackendsFixture backends)
{
    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task PublishEvent_JsonData_SubscriberReceivesDaprEnvelopeAndHeaders(string broker)
    {
        var topic = Unique("orders");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "orders")}]");
        var appId = Unique("publisher");
        await using var sidecar = await StartSidecarAsync(appId, Broker(broker, backends), app.Port, o => o with { AppApiToken = "app-secret" });

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { orderId = 7, note = "a<b" }, TestContext.Current.CancellationToken);

        var delivery = (await Eventually.MatchAsync(() => app.On("/orders"), r => r.Count == 1, Patience, "one delivery"))[0];
        Assert.Equal("application/cloudevents+json", delivery.Header("Content-Type"));
        Assert.Equal(PubSubName, delivery.Header("pubsubName"));
        Assert.Equal("app-secret", delivery.Header("dapr-api-token"));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", delivery.Header("traceparent"));
        var ce = delivery.CloudEvent;
        Assert.True(Guid.TryParse(ce.GetProperty("id").GetString(), out _));
        Assert.Equal(appId, ce.GetProperty("source").GetString());
        Assert.Equal("com.dapr.event.sent", ce.GetProperty("type").GetString());
        Assert.Equal("1.0", ce.GetProperty("specversion").GetString());
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal(7, ce.GetProperty("data").GetProperty("orderId").GetInt32());
        Assert.Equal("a<b", ce.GetProperty("data").GetProperty("note").GetString());
        Assert.Equal(topic, ce.GetProperty("topic").GetString());
        Assert.Equal(PubSubName, ce.GetProperty("pubsubname").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$", ce.GetProperty("time").GetString());
        Assert.Equal(ce.GetProperty("traceparent").GetString(), ce.GetProperty("traceid").GetString());
        var subscribe = Assert.Single(app.SubscribeCalls);
        Assert.Equal(appId, subscribe.Header("dapr-app-id"));
        Assert.Equal("app-secret", subscribe.Header("dapr-api-token"));
    }

    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task PublishEvent_CloudEventTypeOverride_SetsTypeAndTravelsAsHeader(string broker)
    {
        var topic = Unique("orders");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "/orders")}]");
        await using var sidecar = await StartSidecarAsync(Unique("publisher"), Broker(broker, backends), app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { orderId = 1 },
            new Dictionary<string, string> { ["cloudevent.type"] = "OrderShipped", ["ttlInSeconds"] = "600" }, TestContext.Current.CancellationToken);

        var delivery = (await Eventually.MatchAsync(() => app.On("/orders"), r => r.Count == 1, Patience, "one delivery"))[0];
        Assert.Equal("OrderShipped", delivery.CloudEvent.GetProperty("type").GetString());
        Assert.Equal("OrderShipped", delivery.Header("cloudevent.type"));
        Assert.Equal("600", delivery.Header("ttlInSeconds"));
        Assert.True(DateTimeOffset.Parse(delivery.CloudEvent.GetProperty("expiration").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
    }

    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task PublishEvent_RawPayloadSubscription_ReceivesSynthesizedEnvelopeWithBase64(string broker)
    {
        var topic = Unique("raw");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "raw", metadataJson: "{\"rawPayload\":\"true\"}")}]");
        await using var sidecar = await StartSidecarAsync(Unique("publisher"), Broker(broker, backends), app.Port);
        var payload = Encoding.UTF8.GetBytes("plain bytes, not a CloudEvent");

        await sidecar.Client.PublishByteEventAsync(PubSubName, topic, payload, "text/plain",
            new Dictionary<string, string> { ["rawPayload"] = "true" }, TestContext.Current.CancellationToken);

        var delivery = (await Eventually.MatchAsync(() => app.On("/raw"), r => r.Count == 1, Patience, "one delivery"))[0];
        var ce = delivery.CloudEvent;
        Assert.Equal(Convert.ToBase64String(payload), ce.GetProperty("data_base64").GetString());
        Assert.Equal("application/octet-stream", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal("Dapr", ce.GetProperty("source").GetString());
        Assert.True(Guid.TryParse(ce.GetProperty("id").GetString(), out _));
        Assert.Equal("application/cloudevents+json", delivery.Header("Content-Type"));
    }

    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task Routing_CelRules_PickFirstMatchingPathElseDefault(string broker)
    {
        var topic = Unique("routed");
        const string rules = """
            [{"match":"event.type == \"A\"","path":"a"},
             {"match":"event.data.kind == \"x\" && event.data.n > 5","path":"b"},
             {"match":"event.type == \"C\" || event.type == \"D\"","path":"/c"}]
            """;
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "fallback", rulesJson: rules)}]");
        await using var sidecar = await StartSidecarAsync(Unique("router"), Broker(broker, backends), app.Port);

        async Task Publish(string type, object data) => await sidecar.Client.PublishEventAsync(PubSubName, topic, data,
            new Dictionary<string, string> { ["cloudevent.type"] = type }, TestContext.Current.CancellationToken);
        await Publish("A", new { kind = "x", n = 9, id = 1 });
        await Publish("B", new { kind = "x", n = 9, id = 2 });
        await Publish("B", new { kind = "x", n = 1, id = 3 });
        await Publish("D", new { id = 4 });
        await Publish("Z", new { id = 5 });

        await Eventually.MatchAsync(() => app.Received, r => r.Count == 5, Patience, "five deliveries");
        int[] Ids(string path) => [.. app.On(path).Select(r => r.CloudEvent.GetProperty("data").GetProperty("id").GetInt32()).Order()];
        Assert.Equal([1], Ids("/a"));
        Assert.Equal([2], Ids("/b"));
        Assert.Equal([4], Ids("/c"));
        Assert.Equal([3, 5], Ids("/fallback"));
    }

    [Fact]
    public async Task Routing_NoMatchAndNoDefault_AcknowledgesWithoutDelivery()
    {
        var topic = Unique("routed");
        var subscription = $"{{\"topic\":\"{topic}\",\"pubsubName\":\"{PubSubName}\",\"routes\":{{\"rules\":[{{\"match\":\"event.type == \\\"keep\\\"\",\"path\":\"keep\"}}]}}}}";
        await using var app = await RawSubscriberApp.StartAsync($"[{subscription}]");
        await using var sidecar = await StartSidecarAsync(Unique("router"), Broker(InMemory, backends), app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { id = 1 }, new Dictionary<string, string> { ["cloudevent.type"] = "other" }, TestContext.Current.CancellationToken);
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { id = 2 }, new Dictionary<string, string> { ["cloudevent.type"] = "keep" }, TestContext.Current.CancellationToken);

        // In-memory delivery is serial per topic: once the second arrived, the first was handled.
        await Eventually.MatchAsync(() => app.On("/keep"), r => r.Count == 1, Patience, "the matching message");
        var delivered = Assert.Single(app.Received);
        Assert.Equal(2, delivered.CloudEvent.GetProperty("data").GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task ProgrammaticSubscriptions_AreReadOnceAtStartup()
    {
        var topic = Unique("once");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "once")}]");
        await using var sidecar = await StartSidecarAsync(Unique("once-app"), Broker(InMemory, backends), app.Port);

        for (var i = 0; i < 3; i++)
        {
            await sidecar.Client.PublishEventAsync(PubSubName, topic, new { i }, TestContext.Current.CancellationToken);
        }

        await Eventually.MatchAsync(() => app.On("/once"), r => r.Count == 3, Patience, "three deliveries");
        Assert.Single(app.SubscribeCalls);
    }

    [Fact]
    public async Task SubscribeEndpoint_Answers404_NoProgrammaticSubscriptionsButDeclarativeRun()
    {
        var topic = Unique("decl");
        var yaml = Broker(InMemory, backends) + DeclarativeSubscription("decl-sub", topic, "/declared", scopes: []);
        await using var app = await RawSubscriberApp.StartAsync(subscriptions: null);
        await using var sidecar = await StartSidecarAsync(Unique("decl-app"), yaml, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        await Eventually.MatchAsync(() => app.On("/declared"), r => r.Count == 1, Patience, "declarative delivery");
        Assert.Single(app.SubscribeCalls);
    }

    [Fact]
    public async Task Subscriptions_ProgrammaticAndDeclarativeForSameTopic_ProgrammaticWins()
    {
        var topic = Unique("both");
        var yaml = Broker(InMemory, backends) + DeclarativeSubscription("both-sub", topic, "/from-yaml", scopes: []);
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "from-app")}]");
        await using var sidecar = await StartSidecarAsync(Unique("both-app"), yaml, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 2 }, TestContext.Current.CancellationToken);

        await Eventually.MatchAsync(() => app.On("/from-app"), r => r.Count == 2, Patience, "programmatic route used");
        Assert.Empty(app.On("/from-yaml"));
    }

    [Fact]
    public async Task DeclarativeSubscription_ScopedToOtherApp_ForeignAppReceivesNothing()
    {
        var topic = Unique("scoped");
        var owner = Unique("owner");
        var foreign = Unique("foreign");
        var yaml = Broker(Redis, backends) + DeclarativeSubscription("scoped-sub", topic, "/scoped", scopes: [owner]);
        await using var ownerApp = await RawSubscriberApp.StartAsync("[]");
        await using var foreignApp = await RawSubscriberApp.StartAsync("[]");
        await using var ownerSidecar = await StartSidecarAsync(owner, yaml, ownerApp.Port);
        await using var foreignSidecar = await StartSidecarAsync(foreign, yaml, foreignApp.Port);

        await foreignSidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        var delivery = (await Eventually.MatchAsync(() => ownerApp.On("/scoped"), r => r.Count == 1, Patience, "owner delivery"))[0];
        Assert.Equal(foreign, delivery.CloudEvent.GetProperty("source").GetString());
        // The foreign sidecar never subscribed: no consumer group of its own on the stream, nothing delivered.
        var groups = await backends.Redis.Database.StreamGroupInfoAsync(topic);
        Assert.Equal([owner], groups.Select(g => g.Name).ToArray());
        Assert.Empty(foreignApp.Received);
    }

    [Fact]
    public async Task DeclarativeSubscription_InvalidMatchExpression_StopsStartupNamingFileAndField()
    {
        var yaml = Broker(InMemory, backends) + DeclarativeSubscription("bad-sub", "t", "/x", scopes: [], match: "event.type = \"x\"");

        var error = await Assert.ThrowsAsync<Sidecar.Resources.ResourceException>(() => TestSidecar.StartAsync(Unique("bad"), yaml));

        Assert.Equal("spec.routes.rules[0].match", error.Field);
        Assert.EndsWith("resources.yaml", error.File, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task BulkPublish_AllEntriesAccepted_NoFailedEntriesAndAllDelivered(string broker)
    {
        var topic = Unique("bulk");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "bulk")}]");
        await using var sidecar = await StartSidecarAsync(Unique("bulk-app"), Broker(broker, backends), app.Port);

        var response = await sidecar.Client.BulkPublishEventAsync(PubSubName, topic, new[] { new { n = 1 }, new { n = 2 }, new { n = 3 } },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(response.FailedEntries);
        var deliveries = await Eventually.MatchAsync(() => app.On("/bulk"), r => r.Count == 3, Patience, "three deliveries");
        Assert.Equal([1, 2, 3], deliveries.Select(d => d.CloudEvent.GetProperty("data").GetProperty("n").GetInt32()).Order());
        Assert.All(deliveries, d => Assert.Equal("application/json", d.CloudEvent.GetProperty("datacontenttype").GetString()));
    }

    [Fact]
    public async Task Delivery_ExpiredMessage_IsDroppedAndCopiedToDeadLetterTopic()
    {
        var topic = Unique("ttl");
        var dlq = topic + "-dlq";
        await using var app = await RawSubscriberApp.StartAsync(
            $"[{RawSubscriberApp.Subscription(PubSubName, topic, "live", deadLetterTopic: dlq)},{RawSubscriberApp.Subscription(PubSubName, dlq, "dead")}]");
        await using var sidecar = await StartSidecarAsync(Unique("ttl-app"), Broker(Redis, backends), app.Port);
        var expired = """{"id":"old-1","specversion":"1.0","type":"t","source":"s","datacontenttype":"application/json","data":{"n":1},"expiration":"2001-01-01T00:00:00Z"}""";

        await sidecar.Client.PublishByteEventAsync(PubSubName, topic, Encoding.UTF8.GetBytes(expired), "application/cloudevents+json",
            cancellationToken: TestContext.Current.CancellationToken);

        // The copy lands on the dead-letter stream; its subscriber drops it too, because it is still expired (as in daprd).
        var copies = await Eventually.MatchAsync(
            () => backends.Redis.Database.StreamRangeAsync(dlq), entries => entries.Length == 1, Patience, "dead-lettered copy");
        var original = (await backends.Redis.Database.StreamRangeAsync(topic)).Single();
        Assert.Equal((byte[]?)original["data"], (byte[]?)copies[0]["data"]);
        await Eventually.MatchAsync(
            async () => (await backends.Redis.Database.StreamGroupInfoAsync(dlq)).Single(),
            group => group.LastDeliveredId == copies[0].Id.ToString() && group.PendingMessageCount == 0, Patience, "copy read and acknowledged");
        Assert.Empty(app.On("/live"));
        Assert.Empty(app.On("/dead"));
    }

    [Fact]
    public async Task PublishEvent_Validation_MapsToDaprStatusCodes()
    {
        await using var app = await RawSubscriberApp.StartAsync("[]");
        var yaml = ComponentYaml.InMemoryPubSub(PubSubName, ("allowedTopics", "allowed"));
        await using var sidecar = await StartSidecarAsync(Unique("validate"), yaml, app.Port);
        await using var bare = await TestSidecar.StartAsync(Unique("no-pubsub"), "");

        async Task<Grpc.Core.StatusCode> Code(Dapr.Client.DaprClient client, string pubsub, string topic)
        {
            var error = await Assert.ThrowsAsync<Dapr.DaprException>(() => client.PublishEventAsync(pubsub, topic, new { }, TestContext.Current.CancellationToken));
            return Assert.IsType<Grpc.Core.RpcException>(error.InnerException).StatusCode;
        }

        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, await Code(bare.Client, PubSubName, "allowed"));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, await Code(sidecar.Client, "nope", "allowed"));
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, await Code(sidecar.Client, PubSubName, "forbidden"));
        await sidecar.Client.PublishEventAsync(PubSubName, "allowed", new { }, TestContext.Current.CancellationToken);
    }

    internal static string DeclarativeSubscription(string name, string topic, string defaultPath, IReadOnlyList<string> scopes, string? match = null, string? deadLetterTopic = null)
    {
        var lines = new List<string>
        {
            "apiVersion: dapr.io/v2alpha1",
            "kind: Subscription",
            "metadata:",
            $"  name: {name}",
            "spec:",
            $"  pubsubname: {PubSubName}",
            $"  topic: {topic}",
            "  routes:",
            $"    default: {defaultPath}",
        };
        if (match is not null)
        {
            lines.Add("    rules:");
            lines.Add($"    - match: '{match}'");
            lines.Add("      path: /matched");
        }

        if (deadLetterTopic is not null)
        {
            lines.Add($"  deadLetterTopic: {deadLetterTopic}");
        }

        if (scopes.Count > 0)
        {
            lines.Add("scopes:");
            lines.AddRange(scopes.Select(s => $"- {s}"));
        }

        return string.Join('\n', lines) + "\n---\n";
    }
}
