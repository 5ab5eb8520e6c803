using System.Collections.Concurrent;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Platform.Testing;
using static Sidecar.Tests.PubSub.PubSubTestBed;

namespace Sidecar.Tests.PubSub;

/// <summary>App answers, retries from Resiliency only, dead-letter topics and broker fallbacks (contract §4.6–4.7, traps 11–13).</summary>
public sealed class PubSubFailureTests(BackendsFixture backends)
{
    [Theory]
    [InlineData(InMemory, 200, "{\"status\":\"DROP\"}")]
    [InlineData(Redis, 200, "{\"status\":\"DROP\"}")]
    [InlineData(InMemory, 404, "")]
    [InlineData(Redis, 404, "")]
    public async Task Delivery_DropOr404_SendsOriginalMessageToDeadLetterTopicWithoutRetry(string broker, int status, string body)
    {
        var topic = Unique("drop");
        var dlq = topic + "-dlq";
        await using var app = await RawSubscriberApp.StartAsync(
            $"[{RawSubscriberApp.Subscription(PubSubName, topic, "work", deadLetterTopic: dlq)},{RawSubscriberApp.Subscription(PubSubName, dlq, "dead")}]",
            r => r.Path == "/work" ? (status, body) : (200, ""));
        // A retry policy exists: a drop must still not be retried.
        var yaml = Broker(broker, backends) + ResiliencyYaml(PubSubName, "policy: constant\nduration: 10ms\nmaxRetries: 3");
        await using var sidecar = await StartSidecarAsync(Unique("dropper"), yaml, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 },
            new Dictionary<string, string> { ["custom"] = "kept" }, TestContext.Current.CancellationToken);

        var dead = (await Eventually.MatchAsync(() => app.On("/dead"), r => r.Count == 1, Patience, "dead-lettered copy"))[0];
        var original = Assert.Single(app.On("/work"));
        Assert.Equal(original.Body, dead.Body);
        Assert.Equal(topic, dead.CloudEvent.GetProperty("topic").GetString());
        Assert.Equal("kept", dead.Header("custom"));
    }

    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task Delivery_RetryWithResiliencyPolicy_RetriesMaxRetriesThenDeadLetters(string broker)
    {
        var topic = Unique("retry");
        var dlq = topic + "-dlq";
        await using var app = await RawSubscriberApp.StartAsync(
            $"[{RawSubscriberApp.Subscription(PubSubName, topic, "work", deadLetterTopic: dlq)},{RawSubscriberApp.Subscription(PubSubName, dlq, "dead")}]",
            r => r.Path == "/work" ? (200, "{\"status\":\"RETRY\"}") : (200, ""));
        var yaml = Broker(broker, backends) + ResiliencyYaml(PubSubName, "policy: constant\nduration: 20ms\nmaxRetries: 3");
        await using var sidecar = await StartSidecarAsync(Unique("retrier"), yaml, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        await Eventually.MatchAsync(() => app.On("/dead"), r => r.Count == 1, Patience, "dead-lettered copy");
        Assert.Equal(4, app.On("/work").Count);
    }

    [Fact]
    public async Task Delivery_ServerErrorNotInMatchingCodes_IsNotRetried()
    {
        var topic = Unique("matching");
        var dlq = topic + "-dlq";
        await using var app = await RawSubscriberApp.StartAsync(
            $"[{RawSubscriberApp.Subscription(PubSubName, topic, "work", deadLetterTopic: dlq)},{RawSubscriberApp.Subscription(PubSubName, dlq, "dead")}]",
            r => r.Path == "/work" ? (500, "") : (200, ""));
        var yaml = Broker(InMemory, backends) + ResiliencyYaml(PubSubName, "policy: constant\nduration: 10ms\nmaxRetries: 5\nmatching:\n  httpStatusCodes: \"429,502-504\"");
        await using var sidecar = await StartSidecarAsync(Unique("matcher"), yaml, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        await Eventually.MatchAsync(() => app.On("/dead"), r => r.Count == 1, Patience, "dead-lettered copy");
        Assert.Single(app.On("/work"));
    }

    [Fact]
    public async Task Delivery_AppSlowerThanInboundTimeout_AttemptIsAbandonedAndRetried()
    {
        var topic = Unique("timeout");
        var calls = 0;
        var retried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "work")}]", async _ =>
        {
            // The first attempt answers only once the retry has arrived, so it outlasts the timeout however slow the
            // machine is (a fixed 1.5 s sleep against 300 ms raced a busy test process).
            if (Interlocked.Increment(ref calls) == 1)
            {
                await retried.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            else
            {
                retried.TrySetResult();
            }

            return (200, "");
        });
        var resiliency = $"""
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: timeout-resiliency
            spec:
              policies:
                timeouts:
                  short: 2s
                retries:
                  again:
                    policy: constant
                    duration: 10ms
                    maxRetries: 2
              targets:
                components:
                  {PubSubName}:
                    inbound:
                      timeout: short
                      retry: again
            """;
        await using var sidecar = await StartSidecarAsync(Unique("impatient"), Broker(InMemory, backends) + resiliency, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        var attempts = await Eventually.MatchAsync(() => app.On("/work"), r => r.Count >= 2, Patience, "second attempt after the timeout");
        Assert.Single(attempts.Select(a => a.CloudEvent.GetProperty("id").GetString()).Distinct());
    }

    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task Delivery_RetryWithoutPolicyButDeadLetterTopic_GoesStraightToDeadLetter(string broker)
    {
        var topic = Unique("noretry");
        var dlq = topic + "-dlq";
        await using var app = await RawSubscriberApp.StartAsync(
            $"[{RawSubscriberApp.Subscription(PubSubName, topic, "work", deadLetterTopic: dlq)},{RawSubscriberApp.Subscription(PubSubName, dlq, "dead")}]",
            r => r.Path == "/work" ? (200, "{\"status\":\"RETRY\"}") : (200, ""));
        await using var sidecar = await StartSidecarAsync(Unique("noretry-app"), Broker(broker, backends), app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);

        await Eventually.MatchAsync(() => app.On("/dead"), r => r.Count == 1, Patience, "dead-lettered copy");
        Assert.Single(app.On("/work"));
    }

    [Fact]
    public async Task Delivery_InMemoryNoPolicyNoDeadLetter_MessageIsDroppedAndNextOneDelivered()
    {
        var topic = Unique("lost");
        await using var app = await RawSubscriberApp.StartAsync(
            $"[{RawSubscriberApp.Subscription(PubSubName, topic, "work")}]",
            r => r.CloudEvent.GetProperty("data").GetProperty("n").GetInt32() == 1 ? (500, "") : (200, ""));
        await using var sidecar = await StartSidecarAsync(Unique("lost-app"), Broker(InMemory, backends), app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 2 }, TestContext.Current.CancellationToken);

        // Serial per topic: the second delivery happens only after the first was given up.
        var deliveries = await Eventually.MatchAsync(() => app.On("/work"), r => r.Count == 2, Patience, "both attempted");
        Assert.Equal([1, 2], deliveries.Select(d => d.CloudEvent.GetProperty("data").GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task Delivery_RedisNoPolicyNoDeadLetter_FailedMessageIsAcknowledgedNotRedelivered()
    {
        var topic = Unique("acked");
        await using var app = await RawSubscriberApp.StartAsync(
            $"[{RawSubscriberApp.Subscription(PubSubName, topic, "work")}]",
            r => r.CloudEvent.GetProperty("data").GetProperty("n").GetInt32() == 1 ? (500, "") : (200, ""));
        // Short reclaim settings: were the failed message left pending, it would come back within a second.
        var yaml = Broker(Redis, backends, ("processingTimeout", "1s"), ("redeliverInterval", "100ms"));
        var appId = Unique("acked-app");
        await using var sidecar = await StartSidecarAsync(appId, yaml, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 1 }, TestContext.Current.CancellationToken);
        await Eventually.MatchAsync(() => app.On("/work"), r => r.Count == 1, Patience, "first attempt");
        var group = await Eventually.MatchAsync(
            async () => (await backends.Redis.Database.StreamGroupInfoAsync(topic)).Single(), g => g.PendingMessageCount == 0, Patience, "failed message acknowledged");

        // Later messages flow for longer than processingTimeout; reclaim ticks in that time do not bring the first back.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.MatchAsync(
            async () =>
            {
                await sidecar.Client.PublishEventAsync(PubSubName, topic, new { n = 2 }, TestContext.Current.CancellationToken);
                return app.On("/work").Count(r => r.CloudEvent.GetProperty("data").GetProperty("n").GetInt32() == 2);
            },
            n => n >= 4 && watch.Elapsed > TimeSpan.FromSeconds(2.5), Patience, "later messages delivered across reclaim ticks");
        Assert.Equal(appId, group.Name);
        Assert.Single(app.On("/work"), r => r.CloudEvent.GetProperty("data").GetProperty("n").GetInt32() == 1);
        // The last message may still be between the app's answer and its XACK.
        await Eventually.MatchAsync(
            async () => (await backends.Redis.Database.StreamPendingAsync(topic, appId)).PendingMessageCount, n => n == 0, Patience, "nothing left pending");
    }

    [Theory]
    [InlineData(InMemory)]
    [InlineData(Redis)]
    public async Task SdkSubscriber_TextPlainEventToJsonEndpoint_Answers415AndIsRetriedThenDeadLettered(string broker)
    {
        var topic = Unique("typed");
        var dlq = topic + "-dlq";
        var attempts = 0;
        var received = new ConcurrentQueue<Order>();
        var deadLettered = new ConcurrentQueue<string>();
        await using var app = await TestApp.StartAsync(web =>
        {
            web.Use(async (context, next) =>
            {
                await next(context);
                if (context.Request.Path == "/orders" && context.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType)
                {
                    Interlocked.Increment(ref attempts);
                }
            });
            web.MapPost("orders", (Order order) =>
            {
                received.Enqueue(order);
                return TypedResults.Ok();
            }).WithTopic(new TopicOptions { PubsubName = PubSubName, Name = topic, DeadLetterTopic = dlq });
            web.MapPost("orders-dead", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                deadLettered.Enqueue(await reader.ReadToEndAsync());
                return TypedResults.Ok();
            }).WithTopic(PubSubName, dlq);
        });
        var yaml = Broker(broker, backends) + ResiliencyYaml(PubSubName, "policy: constant\nduration: 10ms\nmaxRetries: 2\nmatching:\n  httpStatusCodes: \"415\"");
        await using var sidecar = await StartSidecarAsync(Unique("typed-app"), yaml, app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new Order("o-1", 3), TestContext.Current.CancellationToken);
        await sidecar.Client.PublishByteEventAsync(PubSubName, topic, "{\"id\":\"o-2\",\"quantity\":4}"u8.ToArray(), "text/plain",
            cancellationToken: TestContext.Current.CancellationToken);

        // The JSON event binds; the text/plain one is unwrapped by UseCloudEvents as text, the endpoint answers 415.
        await Eventually.MatchAsync(() => deadLettered.ToArray(), d => d.Length == 1, Patience, "dead-lettered text event");
        Assert.Equal(new Order("o-1", 3), Assert.Single(received));
        Assert.Equal("{\"id\":\"o-2\",\"quantity\":4}", deadLettered.Single());
        Assert.Equal(3, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task SdkSubscriber_MatchRulesFromWithTopic_RouteByEventType()
    {
        var topic = Unique("sdk-routed");
        var seen = new ConcurrentQueue<(string Route, string Id)>();
        await using var app = await TestApp.StartAsync(web =>
        {
            web.MapPost("cancelled", (Order order) => { seen.Enqueue(("cancelled", order.Id)); return TypedResults.Ok(); })
                .WithTopic(new TopicOptions { PubsubName = PubSubName, Name = topic, Match = "event.type == \"OrderCancelled\"", Priority = 1 });
            web.MapPost("all", (Order order) => { seen.Enqueue(("all", order.Id)); return TypedResults.Ok(); })
                .WithTopic(PubSubName, topic);
        });
        await using var sidecar = await StartSidecarAsync(Unique("sdk-router"), Broker(InMemory, backends), app.Port);

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new Order("c", 1),
            new Dictionary<string, string> { ["cloudevent.type"] = "OrderCancelled" }, TestContext.Current.CancellationToken);
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new Order("p", 1), TestContext.Current.CancellationToken);

        var all = await Eventually.MatchAsync(() => seen.ToArray(), s => s.Length == 2, Patience, "both routed");
        Assert.Equal([("all", "p"), ("cancelled", "c")], all.OrderBy(s => s.Route));
    }

    public sealed record Order(string Id, int Quantity);
}
