using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sidecar.Outbox;

/// <summary>
/// Builds the CloudEvent daprd's outbox publishes for one upsert (contract §3.2): its own envelope defaults,
/// then every metadata entry of the operation except id and data copied verbatim as a top-level attribute.
/// </summary>
internal static class OutboxCloudEvent
{
    public static byte[] Build(
        string id,
        string source,
        string pubsubName,
        string? contentType,
        ReadOnlySpan<byte> payload,
        string traceId,
        string? traceState,
        IReadOnlyDictionary<string, string> operationMetadata,
        DateTimeOffset now)
    {
        var dataContentType = string.IsNullOrEmpty(contentType) ? "text/plain" : contentType;
        // Go's json.Marshal of a map writes keys in sorted order; so do we.
        var ce = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["id"] = id,
            ["specversion"] = "1.0",
            ["datacontenttype"] = dataContentType,
            ["source"] = source,
            ["type"] = "com.dapr.event.sent",
            ["topic"] = "",
            ["pubsubname"] = pubsubName,
            ["traceparent"] = "",
            ["tracestate"] = traceState ?? "",
            ["time"] = Rfc3339(now),
            ["traceid"] = traceId,
        };

        if (IsJson(dataContentType) && TryParseJson(payload, out var json))
        {
            ce["data"] = json;
        }
        else if (IsBinary(dataContentType))
        {
            ce["data_base64"] = Convert.ToBase64String(payload);
        }
        else
        {
            ce["data"] = Encoding.UTF8.GetString(payload);
        }

        foreach (var (key, value) in operationMetadata)
        {
            if (key is "data" or "id")
            {
                continue;
            }

            ce[key] = value;
        }

        var root = new JsonObject();
        foreach (var (key, value) in ce)
        {
            root[key] = value;
        }

        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    /// <summary>Go's time.RFC3339 at second precision: "Z" for UTC, else the local offset.</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.Offset == TimeSpan.Zero
            ? time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);

    // daprd's contenttype.IsJSONContentType: application/json, parameters allowed.
    private static bool IsJson(string contentType) =>
        contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static bool IsBinary(string contentType) =>
        contentType.Split(';')[0].Trim().Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase);

    private static bool TryParseJson(ReadOnlySpan<byte> payload, out JsonNode? node)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            node = JsonNode.Parse(ref reader);
            return true;
        }
        catch (JsonException)
        {
            // daprd falls back to the payload as a string when it is not valid JSON.
            node = null;
            return false;
        }
    }
}
