using Platform.Testing;
using Sidecar.Faults;
using static Sidecar.Tests.PubSub.PubSubTestBed;

namespace Sidecar.Tests.PubSub;

/// <summary>Delivery faults are off by default and reproducible from a seed.</summary>
public sealed class PubSubFaultInjectionTests(BackendsFixture backends)
{
    private const int Messages = 12;

    [Fact]
    public async Task Duplicates_SameSeed_DuplicateTheSameMessages()
    {
        var faults = new FaultOptions { Seed = 1234, DuplicateProbability = 0.5 };

        var first = await DeliveryCountsAsync(faults);
        var second = await DeliveryCountsAsync(faults);

        Assert.Equal(first, second);
        Assert.Contains(2, first);
        Assert.Contains(1, first);
        Assert.All(first, count => Assert.InRange(count, 1, 2));
    }

    [Fact]
    public async Task Faults_NotConfigured_EveryMessageDeliveredOnceInOrder()
    {
        var counts = await DeliveryCountsAsync(faults: null);

        Assert.All(counts, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Reorder_Always_HoldsMessageBackUntilTheNextOneWasDelivered()
    {
        var topic = Unique("reorder");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        await using var sidecar = await StartSidecarAsync(Unique("reorderer"), Broker(InMemory, backends), app.Port,
            o => o with { Faults = new FaultOptions { Seed = 1, ReorderProbability = 1 } });

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { i = 0 }, TestContext.Current.CancellationToken);
        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { i = 1 }, TestContext.Current.CancellationToken);

        var deliveries = await Eventually.MatchAsync(() => app.On("/in"), r => r.Count == 2, Patience, "both delivered");
        Assert.Equal([1, 0], deliveries.Select(d => d.CloudEvent.GetProperty("data").GetProperty("i").GetInt32()));
    }

    [Fact]
    public async Task Reorder_NoFollowingMessage_HeldMessageIsStillDelivered()
    {
        var topic = Unique("held");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        await using var sidecar = await StartSidecarAsync(Unique("holder"), Broker(Redis, backends), app.Port,
            o => o with { Faults = new FaultOptions { Seed = 1, ReorderProbability = 1 } });

        await sidecar.Client.PublishEventAsync(PubSubName, topic, new { i = 0 }, TestContext.Current.CancellationToken);

        await Eventually.MatchAsync(() => app.On("/in"), r => r.Count == 1, Patience, "held message released");
    }

    /// <summary>Publishes numbered messages to an in-memory topic (serial delivery) and counts deliveries per number.</summary>
    private async Task<int[]> DeliveryCountsAsync(FaultOptions? faults)
    {
        var topic = Unique("faults");
        await using var app = await RawSubscriberApp.StartAsync($"[{RawSubscriberApp.Subscription(PubSubName, topic, "in")}]");
        await using var sidecar = await StartSidecarAsync(Unique("faulty"), Broker(InMemory, backends), app.Port, o => o with { Faults = faults });

        for (var i = 0; i <= Messages; i++)
        {
            await sidecar.Client.PublishEventAsync(PubSubName, topic, new { i }, TestContext.Current.CancellationToken);
        }

        // The last message is a barrier: delivery is serial, so once it arrived every earlier delivery is done.
        await Eventually.MatchAsync(() => app.On("/in"), r => r.Any(d => Index(d) == Messages), Patience, "barrier delivered");
        var received = app.On("/in");
        return [.. Enumerable.Range(0, Messages).Select(i => received.Count(d => Index(d) == i))];
    }

    private static int Index(ReceivedRequest request) => request.CloudEvent.GetProperty("data").GetProperty("i").GetInt32();
}
