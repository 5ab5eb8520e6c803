using System.Text;
using System.Text.Json;
using Sidecar.Outbox;
using Sidecar.State;

namespace Sidecar.Tests.Outbox;

public sealed class OutboxCloudEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 7, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public void Build_JsonContentType_EmbedsDataAsJsonAndCopiesMetadataVerbatim()
    {
        var metadata = new Dictionary<string, string> { ["contentType"] = "application/json", ["type"] = "OrderPlaced", ["outbox.cloudevent.x"] = "y", ["id"] = "ignored", ["data"] = "ignored" };

        var bytes = OutboxCloudEvent.Build("outbox-1", "orders", "pubsub", "application/json", Encoding.UTF8.GetBytes("{\"total\":12.50}"), "00-abc-def-01", null, metadata, Now);

        var ce = JsonDocument.Parse(bytes).RootElement;
        Assert.Equal("outbox-1", ce.GetProperty("id").GetString());
        Assert.Equal("orders", ce.GetProperty("source").GetString());
        Assert.Equal("OrderPlaced", ce.GetProperty("type").GetString());
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal("12.50", ce.GetProperty("data").GetProperty("total").GetRawText());
        Assert.Equal("", ce.GetProperty("topic").GetString());
        Assert.Equal("pubsub", ce.GetProperty("pubsubname").GetString());
        Assert.Equal("", ce.GetProperty("traceparent").GetString());
        Assert.Equal("00-abc-def-01", ce.GetProperty("traceid").GetString());
        Assert.Equal("2026-11-26T07:30:15Z", ce.GetProperty("time").GetString());
        Assert.Equal("y", ce.GetProperty("outbox.cloudevent.x").GetString());
        Assert.Equal("application/json", ce.GetProperty("contentType").GetString());
    }

    [Fact]
    public void Build_NoContentType_MakesTextPlainWithDataAsString()
    {
        var bytes = OutboxCloudEvent.Build("outbox-2", "orders", "pubsub", null, Encoding.UTF8.GetBytes("{\"a\":1}"), "t", null, new Dictionary<string, string>(), Now);

        var ce = JsonDocument.Parse(bytes).RootElement;
        Assert.Equal("text/plain", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal(JsonValueKind.String, ce.GetProperty("data").ValueKind);
        Assert.Equal("{\"a\":1}", ce.GetProperty("data").GetString());
        Assert.Equal("com.dapr.event.sent", ce.GetProperty("type").GetString());
    }

    [Fact]
    public void Build_OctetStream_UsesDataBase64()
    {
        var bytes = OutboxCloudEvent.Build("outbox-3", "orders", "pubsub", "application/octet-stream", new byte[] { 1, 2, 3 }, "t", null, new Dictionary<string, string>(), Now);

        var ce = JsonDocument.Parse(bytes).RootElement;
        Assert.Equal("AQID", ce.GetProperty("data_base64").GetString());
        Assert.False(ce.TryGetProperty("data", out _));
    }

    [Fact]
    public void Rfc3339_NonUtcOffset_KeepsTheOffset()
    {
        Assert.Equal("2026-11-26T16:30:15+09:00", OutboxCloudEvent.Rfc3339(new DateTimeOffset(2026, 11, 26, 16, 30, 15, TimeSpan.FromHours(9))));
    }

    [Fact]
    public void ExtractProjections_OneProjection_RemovesItAndKeepsTheRest()
    {
        var order = Upsert("orders||o1", new Dictionary<string, string>());
        var projection = Upsert("orders||o1", new Dictionary<string, string> { ["outbox.projection"] = "true" });
        var other = Upsert("orders||o2", new Dictionary<string, string>());

        var (remaining, projections) = TransactionalOutbox.ExtractProjections([order, projection, other]);

        Assert.Equal([order, other], remaining);
        Assert.Same(projection, projections["orders||o1"]);
    }

    [Fact]
    public void ExtractProjections_TwoAdjacentProjections_SkipsTheSecondLikeDaprd()
    {
        // daprd deletes from the slice while ranging over it: the element moved into the current slot is never examined.
        var first = Upsert("k1", new Dictionary<string, string> { ["outbox.projection"] = "true" });
        var second = Upsert("k2", new Dictionary<string, string> { ["outbox.projection"] = "true" });
        var plain = Upsert("k3", new Dictionary<string, string>());

        var (remaining, projections) = TransactionalOutbox.ExtractProjections([first, second, plain]);

        Assert.Equal([second, plain], remaining);
        Assert.Single(projections);
    }

    private static TransactionInput Upsert(string key, Dictionary<string, string> metadata) =>
        new(new UpsertOperation(new StateSetRequest(key, StateValue.FromBytes(Encoding.UTF8.GetBytes("{}")), null, StateConcurrency.LastWrite, null)), metadata);
}
