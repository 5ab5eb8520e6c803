using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sidecar.PubSub;

/// <summary>One event to publish, as the publish API received it.</summary>
public sealed record PublishInput(
    string PubsubName,
    string Topic,
    ReadOnlyMemory<byte> Data,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>What goes to the broker: the stored bytes and the message metadata.</summary>
public sealed record EnvelopedMessage(byte[] Data, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The caller sent something daprd refuses (maps to InvalidArgument).</summary>
public sealed class EnvelopeException(string message) : Exception(message);

/// <summary>
/// Builds the CloudEvent daprd wraps around a published payload (contract §4.1). Pure: the clock and the id
/// source are arguments. Serialised like Go's encoding/json marshals a map (keys sorted, compact), because
/// the subscriber receives these bytes unchanged.
/// </summary>
public static class CloudEventEnvelope
{
    public const string CloudEventContentType = "application/cloudevents+json";
    public const string DefaultType = "com.dapr.event.sent";
    public const string DefaultSource = "Dapr";
    public const string SpecVersion = "1.0";
    public const string TtlKey = "ttlInSeconds";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static EnvelopedMessage Build(PublishInput input, string appId, string? traceParent, string? traceState, DateTimeOffset now, Func<Guid> newId)
    {
        var metadata = new Dictionary<string, string>(input.Metadata, StringComparer.Ordinal);
        if (IsRawPayload(input.Metadata))
        {
            // Published unchanged; only the trace travels, as message metadata.
            if (!string.IsNullOrEmpty(traceParent))
            {
                metadata["traceid"] = traceParent;
            }

            if (!string.IsNullOrEmpty(traceState))
            {
                metadata["tracestate"] = traceState;
            }

            return new EnvelopedMessage(input.Data.ToArray(), metadata);
        }

        var ttl = ParseTtl(input.Metadata);
        var envelope = IsCloudEventContentType(input.ContentType)
            ? FromCloudEvent(input, traceParent, traceState, now)
            : NewEnvelope(input, appId, traceParent, traceState, now, newId);
        if (ttl is { } seconds)
        {
            envelope["expiration"] = FormatUtc(now.AddSeconds(seconds));
        }

        return new EnvelopedMessage(Serialize(envelope), metadata);
    }

    public static bool IsRawPayload(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("rawPayload", out var raw) && Resources.ComponentMetadata.IsTruthy(raw);

    public static bool IsCloudEventContentType(string? contentType) => MediaType(contentType) == CloudEventContentType;

    /// <summary>Go's RFC 3339 with second precision: "Z" for UTC, else the numeric offset.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.Offset == TimeSpan.Zero
            ? time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A W3C traceparent for a child span: same trace id and flags, new span id; a new trace when there is no parent.</summary>
    public static string ChildTraceParent(string? parent)
    {
        var span = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        if (parent is { Length: 55 } && parent[2] == '-' && parent[35] == '-' && parent[52] == '-')
        {
            return $"{parent[..36]}{span}{parent[52..]}";
        }

        return $"00-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}-{span}-00";
    }

    /// <summary>Compact JSON with object keys sorted ordinally at every level (Go's map marshalling).</summary>
    public static byte[] Serialize(JsonObject envelope)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteSorted(writer, envelope);
        }

        return buffer.ToArray();
    }

    private static JsonObject NewEnvelope(PublishInput input, string appId, string? traceParent, string? traceState, DateTimeOffset now, Func<Guid> newId)
    {
        var overrides = Overrides(input.Metadata);
        var contentType = string.IsNullOrEmpty(input.ContentType) ? "text/plain" : input.ContentType;
        var trace = overrides.GetValueOrDefault("traceparent") is { Length: > 0 } tp ? tp
            : overrides.GetValueOrDefault("traceid") is { Length: > 0 } ti ? ti
            : traceParent ?? "";
        var envelope = new JsonObject
        {
            ["id"] = overrides.GetValueOrDefault("id") is { Length: > 0 } id ? id : newId().ToString(),
            ["source"] = overrides.GetValueOrDefault("source") is { Length: > 0 } source ? source : appId,
            ["type"] = overrides.GetValueOrDefault("type") is { Length: > 0 } type ? type : DefaultType,
            ["specversion"] = SpecVersion,
            ["datacontenttype"] = contentType,
            ["topic"] = input.Topic,
            ["pubsubname"] = input.PubsubName,
            ["traceid"] = trace,
            ["traceparent"] = trace,
            ["tracestate"] = overrides.GetValueOrDefault("tracestate") is { Length: > 0 } ts ? ts : traceState ?? "",
            ["time"] = FormatTime(now),
        };
        if (overrides.GetValueOrDefault("subject") is { Length: > 0 } subject)
        {
            envelope["subject"] = subject;
        }

        var media = MediaType(contentType);
        if (media == "application/json" && TryParse(input.Data, out var json))
        {
            envelope["data"] = json;
        }
        else if (media == "application/octet-stream")
        {
            envelope["data_base64"] = Convert.ToBase64String(input.Data.Span);
        }
        else
        {
            // Anything else, and JSON that does not parse, travels as a JSON string.
            envelope["data"] = Encoding.UTF8.GetString(input.Data.Span);
        }

        return envelope;
    }

    private static JsonObject FromCloudEvent(PublishInput input, string? traceParent, string? traceState, DateTimeOffset now)
    {
        if (!TryParse(input.Data, out var node) || node is not JsonObject envelope)
        {
            throw new EnvelopeException("cannot create cloudevent: the data is not a JSON object");
        }

        // The caller's attributes win; daprd only fills what is missing and never adds an id.
        envelope.TryAdd("traceid", traceParent ?? "");
        envelope.TryAdd("traceparent", traceParent ?? "");
        envelope.TryAdd("tracestate", traceState ?? "");
        envelope.TryAdd("source", DefaultSource);
        envelope.TryAdd("type", DefaultType);
        envelope.TryAdd("specversion", SpecVersion);
        envelope["topic"] = input.Topic;
        envelope["pubsubname"] = input.PubsubName;
        envelope.TryAdd("time", FormatTime(now));
        return envelope;
    }

    private static Dictionary<string, string> Overrides(IReadOnlyDictionary<string, string> metadata)
    {
        var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in metadata)
        {
            if (key.StartsWith("cloudevent.", StringComparison.OrdinalIgnoreCase))
            {
                overrides[key["cloudevent.".Length..]] = value;
            }
        }

        return overrides;
    }

    private static int? ParseTtl(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(TtlKey, out var text) || text.Length == 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? seconds
            : throw new EnvelopeException($"metadata {TtlKey}: '{text}' is not a non-negative integer");
    }

    private static string FormatUtc(DateTimeOffset time) => FormatTime(time.ToUniversalTime());

    private static string? MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    private static bool TryParse(ReadOnlyMemory<byte> data, out JsonNode? node)
    {
        try
        {
            // A literal null parses to a null node and is still valid JSON.
            node = JsonNode.Parse(data.Span);
            return true;
        }
        catch (JsonException)
        {
            node = null;
            return false;
        }
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteSorted(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                // Numbers keep their original text (no float round trip), strings are re-escaped.
                node.WriteTo(writer);
                break;
        }
    }
}
