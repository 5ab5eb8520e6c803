using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EndToEnd.Infrastructure;

/// <summary>
/// The business state one order left in every service, for F5 of BENCHMARKS-AND-FAULTS §3 ("business state,
/// ignoring timestamps and delivery counters, equals a run with the same seed and no duplicates"): each service's
/// own view of the order flattened to <c>source.path = value</c> fields. What two runs of the same inputs may
/// legitimately differ in is normalised away: timestamps, generated ids (the order's own id, GUIDs), delivery
/// counters and latencies, and the order of list items. Versions stay: a duplicate applied twice would bump one.
/// </summary>
public sealed partial class BusinessState
{
    private const string None = "none";

    /// <summary>
    /// Fields that describe the deliveries rather than the outcome, which a duplicated or delayed delivery may
    /// legitimately change: the gateway's count of charge requests (a retried or duplicated step asks again and gets
    /// the recorded answer) and the read model's staleness (how long its last event took from producer to view).
    /// </summary>
    private static readonly HashSet<string> DeliveryDetails = new(StringComparer.Ordinal) { "requests", "stalenessMs" };

    private readonly List<KeyValuePair<string, string>> _fields;

    private BusinessState(List<KeyValuePair<string, string>> fields) => _fields = fields;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Reads what every service shows for the order (an app that has no record of it gives <c>none</c>).</summary>
    public static async Task<BusinessState> ReadAsync(SagaRunFixture run, AcknowledgedOrder order, string sku)
    {
        var id = Uri.EscapeDataString(order.OrderId);
        (string Source, string AppId, string Path)[] views =
        [
            ("order", "orders", $"/orders/{id}"),
            ("payment", "payments", $"/payments/{id}"),
            ("gatewayCharge", "payments", $"/gateway/charges/{id}"),
            ("credit", "payments", $"/customers/{Uri.EscapeDataString(order.CustomerId)}/credit"),
            ("reservation", "inventory", $"/reservations/{id}"),
            ("stock", "inventory", $"/stock/{Uri.EscapeDataString(sku)}"),
            ("saga", "order-saga", $"/sagas/{id}"),
            ("cancellationSaga", "order-saga", $"/sagas/{id}/cancellation"),
            ("readModel", "order-query", $"/orders/{id}/summary"),
            ("composed", "gateway", $"/api/orders/{id}"),
        ];

        var read = new List<(string Source, string? Json)>();
        foreach (var (source, appId, path) in views)
        {
            using var response = await run.Client(appId).GetAsync(path, Cancel);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                read.Add((source, null));
                continue;
            }

            response.EnsureSuccessStatusCode();
            read.Add((source, await response.Content.ReadAsStringAsync(Cancel)));
        }

        return FromViews(order.OrderId, read);
    }

    /// <summary>The state of the order from each source's JSON view of it (null: the source has no record of it).</summary>
    public static BusinessState FromViews(string orderId, IEnumerable<(string Source, string? Json)> views)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var (source, json) in views)
        {
            if (json is null)
            {
                fields.Add(new(source, None));
                continue;
            }

            using var document = JsonDocument.Parse(json);
            fields.AddRange(Flatten(document.RootElement, source, orderId));
        }

        return new BusinessState(fields);
    }

    /// <summary>Whether the gateway's composed view had every part (none missing after a timeout or an open circuit).</summary>
    public bool FullyComposed => _fields.Contains(new("composed.complete", "true"));

    /// <summary>Every field whose value differs (or exists in one state only), in this state's field order.</summary>
    public IReadOnlyList<string> Differences(BusinessState other)
    {
        var theirs = other._fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var mine = _fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var differences = new List<string>();
        foreach (var (field, value) in _fields)
        {
            var found = theirs.TryGetValue(field, out var their);
            if (!found || their != value)
            {
                differences.Add($"{field}: {value} ≠ {(found ? their : "(absent)")}");
            }
        }

        differences.AddRange(other._fields.Where(f => !mine.ContainsKey(f.Key)).Select(f => $"{f.Key}: (absent) ≠ {f.Value}"));
        return differences;
    }

    /// <summary>This state without the fields whose path starts with one of <paramref name="prefixes"/>.</summary>
    public BusinessState Without(IReadOnlyCollection<string> prefixes) =>
        new([.. _fields.Where(f => !prefixes.Any(p => f.Key.StartsWith(p, StringComparison.Ordinal)))]);

    public override string ToString() => string.Join('\n', _fields.Select(f => $"{f.Key} = {f.Value}"));

    private static List<KeyValuePair<string, string>> Flatten(JsonElement element, string path, string orderId)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var fields = new List<KeyValuePair<string, string>>();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!IsTimestamp(property.Name) && !DeliveryDetails.Contains(property.Name))
                    {
                        fields.AddRange(Flatten(property.Value, $"{path}.{property.Name}", orderId));
                    }
                }

                return fields;
            case JsonValueKind.Array:
                // Which item came first may follow the order deliveries arrived in; the items themselves may not differ.
                var items = element.EnumerateArray()
                    .Select(item => Flatten(item, string.Empty, orderId))
                    .OrderBy(item => string.Join('\n', item.Select(f => $"{f.Key}={f.Value}")), StringComparer.Ordinal)
                    .ToList();
                List<KeyValuePair<string, string>> flattened = [new($"{path}.count", items.Count.ToString(CultureInfo.InvariantCulture))];
                foreach (var (item, index) in items.Select((item, index) => (item, index)))
                {
                    flattened.AddRange(item.Select(f => new KeyValuePair<string, string>($"{path}[{index}]{f.Key}", f.Value)));
                }

                return flattened;
            default:
                return [new(path, Scalar(element, orderId))];
        }
    }

    // createdAt, confirmedAt, a history entry's "at": when something happened, never what.
    private static bool IsTimestamp(string name) => name == "at" || name.EndsWith("At", StringComparison.Ordinal);

    private static string Scalar(JsonElement element, string orderId)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return element.GetRawText();
        }

        var text = element.GetString()!.Replace(orderId, "<order-id>", StringComparison.Ordinal);
        text = GuidPattern().Replace(text, "<guid>");
        return TimestampPattern().Replace(text, "<time>");
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")]
    private static partial Regex TimestampPattern();
}
