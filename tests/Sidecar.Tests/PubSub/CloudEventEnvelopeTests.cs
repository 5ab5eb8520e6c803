using System.Text;
using System.Text.Json;
using Sidecar.PubSub;

namespace Sidecar.Tests.PubSub;

public sealed class CloudEventEnvelopeTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(2));
    private static readonly Guid FixedId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Build_JsonPayload_WrapsParsedDataWithDaprDefaults()
    {
        var message = Build("""{"b":1,"a":{"z":true,"y":12345678901234567890}}""", "application/json");

        using var ce = JsonDocument.Parse(message.Data);
        var root = ce.RootElement;
        Assert.Equal(FixedId.ToString(), root.GetProperty("id").GetString());
        Assert.Equal("publisher", root.GetProperty("source").GetString());
        Assert.Equal("com.dapr.event.sent", root.GetProperty("type").GetString());
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal("orders", root.GetProperty("topic").GetString());
        Assert.Equal("pubsub", root.GetProperty("pubsubname").GetString());
        Assert.Equal(TraceParent, root.GetProperty("traceid").GetString());
        Assert.Equal(TraceParent, root.GetProperty("traceparent").GetString());
        Assert.Equal("congo=t61", root.GetProperty("tracestate").GetString());
        Assert.Equal("2026-03-04T05:06:07+02:00", root.GetProperty("time").GetString());
        Assert.False(root.TryGetProperty("subject", out _));
        Assert.False(root.TryGetProperty("expiration", out _));
        // Keys sorted at every level like Go's map marshalling; big numbers keep their digits.
        Assert.Contains("\"data\":{\"a\":{\"y\":12345678901234567890,\"z\":true},\"b\":1}", Encoding.UTF8.GetString(message.Data), StringComparison.Ordinal);
        Assert.StartsWith("{\"data\":", Encoding.UTF8.GetString(message.Data), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain", "hello", "\"hello\"")]
    [InlineData("application/problem+json", "{\"x\":1}", "\"{\\\"x\\\":1}\"")]
    [InlineData("application/json; charset=utf-8", "[1,2]", "[1,2]")]
    [InlineData("application/json", "not json", "\"not json\"")]
    public void Build_ContentType_DecidesHowDataIsEmbedded(string contentType, string payload, string expectedDataJson)
    {
        var message = Build(payload, contentType);

        using var ce = JsonDocument.Parse(message.Data);
        Assert.Equal(expectedDataJson, ce.RootElement.GetProperty("data").GetRawText());
        Assert.Equal(contentType, ce.RootElement.GetProperty("datacontenttype").GetString());
    }

    [Fact]
    public void Build_OctetStream_UsesDataBase64()
    {
        var message = Build("\u0001\u0002binary", "application/octet-stream");

        using var ce = JsonDocument.Parse(message.Data);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("\u0001\u0002binary")), ce.RootElement.GetProperty("data_base64").GetString());
        Assert.False(ce.RootElement.TryGetProperty("data", out _));
    }

    [Fact]
    public void Build_NoContentType_DefaultsToTextPlain()
    {
        var message = Build("abc", null);

        using var ce = JsonDocument.Parse(message.Data);
        Assert.Equal("text/plain", ce.RootElement.GetProperty("datacontenttype").GetString());
        Assert.Equal("abc", ce.RootElement.GetProperty("data").GetString());
    }

    [Fact]
    public void Build_CloudEventOverrides_AreMatchedCaseInsensitivelyAndPassedAsMetadata()
    {
        var metadata = new Dictionary<string, string>
        {
            ["CloudEvent.Type"] = "OrderPlaced",
            ["cloudevent.id"] = "my-id",
            ["cloudevent.source"] = "shop",
            ["cloudevent.subject"] = "order-1",
            ["cloudevent.traceid"] = "00-11111111111111111111111111111111-2222222222222222-01",
            ["cloudevent.traceparent"] = "00-33333333333333333333333333333333-4444444444444444-01",
            ["cloudevent.topic"] = "ignored",
        };

        var message = Build("{}", "application/json", metadata);

        using var ce = JsonDocument.Parse(message.Data);
        var root = ce.RootElement;
        Assert.Equal("OrderPlaced", root.GetProperty("type").GetString());
        Assert.Equal("my-id", root.GetProperty("id").GetString());
        Assert.Equal("shop", root.GetProperty("source").GetString());
        Assert.Equal("order-1", root.GetProperty("subject").GetString());
        Assert.Equal("00-33333333333333333333333333333333-4444444444444444-01", root.GetProperty("traceid").GetString());
        Assert.Equal("00-33333333333333333333333333333333-4444444444444444-01", root.GetProperty("traceparent").GetString());
        Assert.Equal("orders", root.GetProperty("topic").GetString());
        Assert.Equal(metadata.Count, message.Metadata.Count);
        Assert.Equal("OrderPlaced", message.Metadata["CloudEvent.Type"]);
    }

    [Fact]
    public void Build_TtlInSeconds_AddsUtcExpiration()
    {
        var message = Build("{}", "application/json", new Dictionary<string, string> { ["ttlInSeconds"] = "30" });

        using var ce = JsonDocument.Parse(message.Data);
        Assert.Equal("2026-03-04T03:06:37Z", ce.RootElement.GetProperty("expiration").GetString());
        Assert.Equal("30", message.Metadata["ttlInSeconds"]);
    }

    [Fact]
    public void Build_BadTtl_Throws()
    {
        Assert.Throws<EnvelopeException>(() => Build("{}", "application/json", new Dictionary<string, string> { ["ttlInSeconds"] = "soon" }));
    }

    [Fact]
    public void Build_IncomingCloudEvent_KeepsCallerFieldsAndFillsOnlyDefaults()
    {
        var message = Build("""{"id":"ce-1","type":"Custom","data":{"n":1},"topic":"wrong","time":"2020-01-01T00:00:00Z"}""", "application/cloudevents+json");

        using var ce = JsonDocument.Parse(message.Data);
        var root = ce.RootElement;
        Assert.Equal("ce-1", root.GetProperty("id").GetString());
        Assert.Equal("Custom", root.GetProperty("type").GetString());
        Assert.Equal("Dapr", root.GetProperty("source").GetString());
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal("orders", root.GetProperty("topic").GetString());
        Assert.Equal("pubsub", root.GetProperty("pubsubname").GetString());
        Assert.Equal("2020-01-01T00:00:00Z", root.GetProperty("time").GetString());
        Assert.Equal(TraceParent, root.GetProperty("traceparent").GetString());
        Assert.Equal(1, root.GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public void Build_IncomingCloudEventWithoutId_DoesNotAddOne()
    {
        var message = Build("""{"data":"x"}""", "application/cloudevents+json");

        using var ce = JsonDocument.Parse(message.Data);
        Assert.False(ce.RootElement.TryGetProperty("id", out _));
    }

    [Fact]
    public void Build_IncomingCloudEventNotAnObject_Throws()
    {
        Assert.Throws<EnvelopeException>(() => Build("[1]", "application/cloudevents+json"));
    }

    [Fact]
    public void Build_RawPayload_PublishesBytesUnchangedWithTraceInMetadata()
    {
        var message = Build("raw bytes", "text/plain", new Dictionary<string, string> { ["rawPayload"] = "true" });

        Assert.Equal("raw bytes", Encoding.UTF8.GetString(message.Data));
        Assert.Equal(TraceParent, message.Metadata["traceid"]);
        Assert.Equal("congo=t61", message.Metadata["tracestate"]);
        Assert.Equal("true", message.Metadata["rawPayload"]);
    }

    [Fact]
    public void FormatTime_Utc_UsesZ()
    {
        Assert.Equal("2026-03-04T05:06:07Z", CloudEventEnvelope.FormatTime(new DateTimeOffset(2026, 3, 4, 5, 6, 7, 999, TimeSpan.Zero)));
    }

    [Fact]
    public void ChildTraceParent_KeepsTraceIdAndFlagsWithNewSpan()
    {
        var child = CloudEventEnvelope.ChildTraceParent(TraceParent);

        Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", child, StringComparison.Ordinal);
        Assert.EndsWith("-01", child, StringComparison.Ordinal);
        Assert.NotEqual(TraceParent, child);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", CloudEventEnvelope.ChildTraceParent(null));
    }

    private static EnvelopedMessage Build(string payload, string? contentType, Dictionary<string, string>? metadata = null) =>
        CloudEventEnvelope.Build(
            new PublishInput("pubsub", "orders", Encoding.UTF8.GetBytes(payload), contentType, metadata ?? []),
            "publisher", TraceParent, "congo=t61", Now, () => FixedId);
}
