using System.Text;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// A malformed or unknown event on a saga topic is dropped to the topic's dead-letter topic by every participant
/// that subscribes to it (payments and inventory on orders; inventory and orders on payments), once, and changes
/// nothing: DROP is answered, never RETRY, so it is not redelivered forever.
/// </summary>
public sealed class ChoreographyDeadLetterTests(ReliableChoreographyEnvironment world) : IClassFixture<ReliableChoreographyEnvironment>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SagaTopics_UnknownOrMalformedEvents_DeadLetteredOncePerSubscriberAndNothingChanges()
    {
        var unknown = ChoreographyEnvironment.NewId("unknown");
        var missingFields = ChoreographyEnvironment.NewId("missing");
        var notJson = ChoreographyEnvironment.NewId("notjson");
        var badOrderId = ChoreographyEnvironment.NewId("badorder");
        var unknownPayment = ChoreographyEnvironment.NewId("unknownpay");

        // On topic orders (payments and inventory subscribe): an unknown type, an OrderPlaced without its fields, an
        // OrderConfirmed that is not JSON, an OrderConfirmed whose orderId is no id.
        await world.Orders.Dapr.PublishEventAsync("pubsub", "orders", new { eventId = unknown, orderId = Guid.NewGuid().ToString() }, Type("OrderTeleported"), Cancellation);
        await world.Orders.Dapr.PublishEventAsync("pubsub", "orders", new { eventId = missingFields }, Type("OrderPlaced"), Cancellation);
        await world.Orders.Dapr.PublishByteEventAsync("pubsub", "orders", Encoding.UTF8.GetBytes("{\"eventId\":\"" + notJson + "\","), "application/json", Type("OrderConfirmed"), Cancellation);
        await world.Orders.Dapr.PublishEventAsync("pubsub", "orders", new { eventId = badOrderId, orderId = "not an id!", version = 2 }, Type("OrderConfirmed"), Cancellation);
        // On topic payments (inventory and orders subscribe): an unknown type.
        await world.Payments.Dapr.PublishEventAsync("pubsub", "payments", new { eventId = unknownPayment, orderId = Guid.NewGuid().ToString() }, Type("PaymentTeleported"), Cancellation);

        foreach (var marker in new[] { unknown, missingFields, notJson, badOrderId })
        {
            await CopiesAsync("orders-dlq", marker, expected: 2);
        }

        await CopiesAsync("payments-dlq", unknownPayment, expected: 2);

        // Answered DROP, not RETRY: nothing is left pending to be delivered again.
        foreach (var (topic, group) in new[] { ("orders", "payments"), ("orders", "inventory"), ("payments", "inventory"), ("payments", "orders") })
        {
            await ChoreographyEnvironment.EventuallyAsync(
                async () => (await world.Redis.Database.StreamPendingAsync(topic, group)).PendingMessageCount,
                pending => pending == 0,
                $"{group} acknowledged everything on {topic}");
        }

        // Still exactly two copies each once everything is acknowledged: no delivery is outstanding to add a third.
        Assert.Equal(2, await CountAsync("orders-dlq", unknown));
        Assert.Equal(2, await CountAsync("payments-dlq", unknownPayment));
    }

    private static Dictionary<string, string> Type(string type) => new(StringComparer.Ordinal) { ["cloudevent.type"] = type };

    private async Task CopiesAsync(string deadLetterTopic, string marker, int expected) =>
        await ChoreographyEnvironment.EventuallyAsync(() => CountAsync(deadLetterTopic, marker), n => n == expected, $"{expected} copies of {marker} on {deadLetterTopic}");

    /// <summary>How many entries of the stream carry the marker (the dead-lettered CloudEvents keep their data).</summary>
    private async Task<int> CountAsync(string stream, string marker)
    {
        var entries = await world.Redis.Database.StreamRangeAsync(stream);
        return entries.Count(e => ((string?)e.Values.First(v => v.Name == "data").Value ?? "").Contains(marker, StringComparison.Ordinal));
    }
}
