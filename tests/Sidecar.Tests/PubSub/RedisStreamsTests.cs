using System.Collections.Concurrent;
using System.Text.Json;
using Platform.Testing;
using StackExchange.Redis;
using static Sidecar.Tests.PubSub.PubSubTestBed;

namespace Sidecar.Tests.PubSub;

/// <summary>The physical layout and consumer-group behaviour of pubsub.redis, as components-contrib has them.</summary>
public sealed class RedisStreamsTests(BackendsFixture backends)
{
    [Fact]
    public async Task Publish_WritesDataAndJsonMetadataFieldsToStreamNamedByTopic()
    {
        var topic = Unique("layout");
        await using var sidecar = await TestSidecar.StartAsync(Unique("writer"), Broker(Redis, backends));

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 },
            new Dictionary<string, string> { ["b-key"] = "2", ["a-key"] = "1" }, TestContext.Current.CancellationToken);

        var entry = Assert.Single(await backends.Redis.Database.StreamRangeAsync(topic));
        Assert.Equal(["data", "metadata"], entry.Values.Select(v => v.Name.ToString()));
        using var ce = JsonDocument.Parse((byte[])entry["data"]!);
        Assert.Equal(topic, ce.RootElement.GetProperty("topic").GetString());
        Assert.Equal("{\"a-key\":\"1\",\"b-key\":\"2\"}", entry["metadata"].ToString());
    }

    [Fact]
    public async Task Subscribe_NoConsumerId_ConsumerGroupIsAppId()
    {
        var topic = Unique("group");
        var appId = Unique("grouper");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        await using var sidecar = await StartSidecarAsync(appId, Broker(Redis, backends), app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        await Eventually.MatchAsync(() => app.On("/in"), r => r.Count == 1, Patience, "delivery");
        var group = Assert.Single(await backends.Redis.Database.StreamGroupInfoAsync(topic));
        Assert.Equal(appId, group.Name);
        var consumer = Assert.Single(await backends.Redis.Database.StreamConsumerInfoAsync(topic, appId));
        Assert.Equal(appId, consumer.Name);
    }

    [Fact]
    public async Task Subscribe_ConsumerIdMetadata_NamesGroupAndSharesWorkAcrossApps()
    {
        var topic = Unique("shared");
        var consumerId = Unique("workers");
        var yaml = Broker(Redis, backends, ("consumerID", consumerId));
        await using var first = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        await using var second = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        await using var firstSidecar = await StartSidecarAsync(Unique("worker-a"), yaml, first.Port);
        await using var secondSidecar = await StartSidecarAsync(Unique("worker-b"), yaml, second.Port);

        for (var i = 0; i < 6; i++)
        {
            await firstSidecar.Client.PublishEventAsync(PubSubName, topic, new { i }, TestContext.Current.CancellationToken);
        }

        // One group: every message is handled once between the two apps, not once per app.
        await Eventually.MatchAsync(() => first.Received.Count + second.Received.Count, n => n == 6, Patience, "six deliveries in total");
        var group = Assert.Single(await backends.Redis.Database.StreamGroupInfoAsync(topic));
        Assert.Equal(consumerId, group.Name);
        await Eventually.MatchAsync(
            async () => (await backends.Redis.Database.StreamGroupInfoAsync(topic)).Single().PendingMessageCount, n => n == 0, Patience, "all acknowledged");
        Assert.Equal(6, first.Received.Concat(second.Received).Select(r => r.CloudEvent.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Reclaim_MessagePendingAtCrashedConsumer_IsRedeliveredAfterProcessingTimeout()
    {
        var topic = Unique("crashed");
        var appId = Unique("survivor");
        var database = backends.Redis.Database;
        var cloudEvent = """{"id":"stuck-1","specversion":"1.0","type":"t","source":"s","datacontenttype":"application/json","data":{"n":1}}"""u8.ToArray();
        await database.StreamCreateConsumerGroupAsync(topic, appId, "0", createStream: true);
        await database.StreamAddAsync(topic, [new NameValueEntry("data", cloudEvent)]);
        // A consumer of the group reads it and dies before acknowledging.
        Assert.Single(await database.StreamReadGroupAsync(topic, appId, "crashed-consumer", StreamPosition.NewMessages));
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");

        await using var sidecar = await StartSidecarAsync(appId, Broker(Redis, backends, ("processingTimeout", "500"), ("redeliverInterval", "100ms")), app.Port);

        var delivery = (await Eventually.MatchAsync(() => app.On("/in"), r => r.Count >= 1, Patience, "reclaimed delivery"))[0];
        Assert.Equal(cloudEvent, delivery.Body);
        await Eventually.MatchAsync(
            async () => (await database.StreamPendingAsync(topic, appId)).PendingMessageCount, n => n == 0, Patience, "acknowledged after redelivery");
    }

    [Fact]
    public async Task Delivery_HandlerRunsPastProcessingTimeout_MessageStaysPendingAndIsRedelivered()
    {
        var topic = Unique("slow");
        var appId = Unique("slow-app");
        var calls = 0;
        var appLog = new ConcurrentQueue<string>();
        var redelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]", async _ =>
        {
            // The first answer waits until the redelivery has arrived, so it runs past processingTimeout however slow
            // the machine is. (A fixed 6 s answer against a 2 s timeout failed in CI: in the full suite, hundreds of
            // sidecars in one process, the redeliveries themselves took longer than the timeout and were cut off.)
            var call = Interlocked.Increment(ref calls);
            appLog.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} app: delivery {call} arrived");
            if (call == 1)
            {
                await redelivered.Task.WaitAsync(TimeSpan.FromSeconds(90));
            }
            else
            {
                redelivered.TrySetResult();
            }

            appLog.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} app: delivery {call} answered");
            return (200, "");
        });
        // A processingTimeout generous enough for a redelivery to get through a busy test process.
        var yaml = Broker(Redis, backends, ("processingTimeout", "5s"), ("redeliverInterval", "200ms"));
        var logs = new CapturedLogs();
        await using var sidecar = await StartSidecarAsync(appId, yaml, app.Port, logs: logs);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        // A liveness bound, not a speed target: in CI, with every test project running at once, 60 s was not always enough.
        IReadOnlyList<ReceivedRequest> deliveries;
        try
        {
            deliveries = await Eventually.MatchAsync(() => app.On("/in"), r => r.Count >= 2, TimeSpan.FromSeconds(180), "redelivery after the timeout");
        }
        catch (TimeoutException ex)
        {
            // This failed in some full CI runs only; say what the stream and the sidecar did.
            throw new TimeoutException($"{ex.Message}\n{await DescribeStreamAsync(topic, appId)}\n{string.Join("\n", appLog)}\n{logs.Dump()}", ex);
        }

        Assert.Single(deliveries.Select(d => d.CloudEvent.GetProperty("id").GetString()).Distinct());
        await Eventually.MatchAsync(
            async () => (await backends.Redis.Database.StreamPendingAsync(topic, appId)).PendingMessageCount, n => n == 0, Patience, "acknowledged after the redelivery");
    }

    [Fact]
    public async Task Subscribe_RedisStallsPastClientTimeout_PollAndReclaimLoopsCarryOn()
    {
        // A server of its own: freezing the shared one would stall every other test.
        await using var redis = await RedisServer.StartAsync();
        var topic = Unique("stalled");
        var appId = Unique("patient");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        var yaml = ComponentYaml.RedisPubSub(PubSubName, redis.Address, [("processingTimeout", "3s"), ("redeliverInterval", "100ms")]);
        await using var sidecar = await StartSidecarAsync(appId, yaml, app.Port);
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);
        await Eventually.MatchAsync(() => app.On("/in"), r => r.Count == 1, Patience, "delivery before the stall");

        // A consumer of the group takes a message and dies; in one transaction, so the sidecar cannot read it first.
        // It becomes claimable (idle 3 s) during the stall, so only a reclaim loop that outlived the stall delivers it.
        var orphan = """{"id":"orphan-1","specversion":"1.0","type":"t","source":"s","datacontenttype":"application/json","data":{"n":3}}"""u8.ToArray();
        var take = redis.Database.CreateTransaction();
        _ = take.StreamAddAsync(topic, [new NameValueEntry("data", orphan)]);
        var taken = take.StreamReadGroupAsync(topic, appId, "crashed-consumer", StreamPosition.NewMessages, 1);
        Assert.True(await take.ExecuteAsync());
        Assert.Single(await taken);

        // Longer than the client's 5 s command timeout, so the loops' reads fail with RedisTimeoutException.
        await redis.StallAsync(TimeSpan.FromSeconds(7));

        // A new message needs the poll loop.
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 2 }, TestContext.Current.CancellationToken);
        var deliveries = await Eventually.MatchAsync(
            () => app.On("/in"),
            r => r.Any(d => d.CloudEvent.GetProperty("id").GetString() == "orphan-1") && r.Any(d => d.CloudEvent.GetProperty("data").GetProperty("n").GetInt32() == 2),
            Patience,
            "the orphan (reclaim loop) and the new message (poll loop)");
        Assert.Equal(3, deliveries.Count);
    }

    [Fact]
    public async Task Subscribe_StreamDeletedAndGroupRecreationFailsOnce_PollLoopCarriesOn()
    {
        // A server of its own: its ACL is changed below.
        await using var redis = await RedisServer.StartAsync();
        var topic = Unique("vanished");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        await using var sidecar = await StartSidecarAsync(Unique("recreator"), ComponentYaml.RedisPubSub(PubSubName, redis.Address), app.Port);
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);
        await Eventually.MatchAsync(() => app.On("/in"), r => r.Count == 1, Patience, "delivery before the stream is deleted");

        // The stream goes (its group with it): the poll loop reads NOGROUP and creates the group again. That
        // creation fails while XGROUP is forbidden, standing in for a timeout at that moment; Redis's ACL LOG shows it was tried.
        await redis.Database.ExecuteAsync("ACL", "SETUSER", "default", "-xgroup");
        await redis.Database.KeyDeleteAsync(topic);
        await Eventually.MatchAsync(
            async () => Flatten(await redis.Database.ExecuteAsync("ACL", "LOG")), log => log.Contains("xgroup", StringComparison.OrdinalIgnoreCase), Patience, "the group's re-creation was refused");
        await redis.Database.ExecuteAsync("ACL", "SETUSER", "default", "+xgroup");

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 2 }, TestContext.Current.CancellationToken);
        await Eventually.MatchAsync(
            () => app.On("/in"), r => r.Any(d => d.CloudEvent.GetProperty("data").GetProperty("n").GetInt32() == 2), Patience, "delivery after the group came back");
    }

    [Fact]
    public async Task Subscribe_GroupCreationFailsAtStartUp_SidecarBecomesReadyAndDeliversOnceItWorks()
    {
        // A server of its own: its ACL is changed below.
        await using var redis = await RedisServer.StartAsync();
        var topic = Unique("late-group");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");

        // XGROUP refused while the sidecar subscribes, standing in for a Redis timeout at that moment: the
        // subscription used to throw out of the start-up handshake, so the sidecar never became ready.
        await redis.Database.ExecuteAsync("ACL", "SETUSER", "default", "-xgroup");
        await using var sidecar = await StartSidecarAsync(Unique("early"), ComponentYaml.RedisPubSub(PubSubName, redis.Address), app.Port);
        Assert.Contains("xgroup", Flatten(await redis.Database.ExecuteAsync("ACL", "LOG")), StringComparison.OrdinalIgnoreCase);
        await redis.Database.ExecuteAsync("ACL", "SETUSER", "default", "+xgroup");

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);
        await Eventually.MatchAsync(() => app.On("/in"), r => r.Count == 1, Patience, "delivery once the group could be created");
    }

    private static string Flatten(RedisResult result) =>
        result.Resp2Type == ResultType.Array ? string.Join(' ', ((RedisResult[])result!).Select(Flatten)) : result.ToString();

    [Fact]
    public async Task Publish_MaxLenApprox_TrimsStream()
    {
        var topic = Unique("trimmed");
        await using var sidecar = await TestSidecar.StartAsync(Unique("trimmer"), Broker(Redis, backends, ("maxLenApprox", "10")));

        for (var i = 0; i < 400; i++)
        {
            await sidecar.Client.PublishEventAsync(PubSubName, topic, new { i }, TestContext.Current.CancellationToken);
        }

        // Approximate trimming removes whole macro nodes (100 entries by default), so the stream stays well under 400.
        Assert.InRange(await backends.Redis.Database.StreamLengthAsync(topic), 10, 200);
    }

    /// <summary>The stream's group and pending entries, for a failure message.</summary>
    private async Task<string> DescribeStreamAsync(string topic, string group)
    {
        var database = backends.Redis.Database;
        var groups = await database.StreamGroupInfoAsync(topic);
        var pending = await database.StreamPendingMessagesAsync(topic, group, 10, RedisValue.Null);
        return $"stream {topic}: length {await database.StreamLengthAsync(topic)}; "
            + string.Join("; ", groups.Select(g => $"group {g.Name}: last delivered {g.LastDeliveredId}, {g.PendingMessageCount} pending"))
            + string.Concat(pending.Select(p => $"\npending {p.MessageId}: consumer {p.ConsumerName}, idle {p.IdleTimeInMilliseconds} ms, delivered {p.DeliveryCount} time(s)"));
    }
}
