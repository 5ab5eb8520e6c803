using System.Net;
using System.Text.Json;
using Sidecar.Hosting;
using Sidecar.PubSub.Routing;
using Sidecar.Resources;

namespace Sidecar.PubSub;

/// <summary>A subscription ready to run: its resource plus the compiled routing rules.</summary>
public sealed record ActiveSubscription(SubscriptionResource Resource, IReadOnlyList<(RouteMatcher Match, string Path)> Rules)
{
    public string PubsubName => Resource.PubsubName;

    public string Topic => Resource.Topic;

    public static ActiveSubscription Compile(SubscriptionResource resource) =>
        new(resource, [.. resource.Rules.Select(r => (RouteMatcher.Parse(r.Match), r.Path))]);

    /// <summary>The first rule that matches, else the default route, else null (ack without delivery).</summary>
    public string? RouteFor(JsonElement cloudEvent) =>
        Rules.FirstOrDefault(r => r.Match.Matches(cloudEvent)).Path is { Length: > 0 } path
            ? path
            : string.IsNullOrEmpty(Resource.DefaultPath) ? null : Resource.DefaultPath;
}

/// <summary>Reads the app's programmatic subscriptions from <c>GET /dapr/subscribe</c> (contract §4.3).</summary>
public static class SubscriptionDiscovery
{
    public static async Task<IReadOnlyList<SubscriptionResource>> ReadProgrammaticAsync(AppChannel app, string appId, ILogger logger, CancellationToken cancellationToken)
    {
        // daprd's init retry: a few tries for an app that is listening but not quite serving yet.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
                request.Headers.TryAddWithoutValidation("dapr-app-id", appId);
                using var response = await app.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return [];
                }

                if (!response.IsSuccessStatusCode)
                {
                    PubSubLog.SubscribeEndpointFailed(logger, (int)response.StatusCode);
                    return [];
                }

                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return Parse(body, logger);
            }
            catch (HttpRequestException ex) when (attempt < 3)
            {
                PubSubLog.SubscribeEndpointUnreachable(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                PubSubLog.SubscribeEndpointUnreachable(logger, attempt, ex.Message);
                return [];
            }
        }
    }

    /// <summary>Parses the /dapr/subscribe answer; keys are matched case-insensitively like daprd's Go decoder.</summary>
    public static IReadOnlyList<SubscriptionResource> Parse(ReadOnlyMemory<byte> body, ILogger logger)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            PubSubLog.SubscriptionIgnored(logger, "(all)", $"/dapr/subscribe returned invalid JSON: {ex.Message}");
            return [];
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                PubSubLog.SubscriptionIgnored(logger, "(all)", "/dapr/subscribe did not return a JSON array");
                return [];
            }

            var subscriptions = new List<SubscriptionResource>();
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (ParseOne(item, index++, logger) is { } subscription)
                {
                    subscriptions.Add(subscription);
                }
            }

            return subscriptions;
        }
    }

    private static SubscriptionResource? ParseOne(JsonElement item, int index, ILogger logger)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var topic = String(item, "topic") ?? "";
        var pubsub = String(item, "pubsubName") ?? "";
        if (topic.Length == 0 || pubsub.Length == 0)
        {
            PubSubLog.SubscriptionIgnored(logger, topic, $"entry {index} lacks topic or pubsubName");
            return null;
        }

        var rules = new List<SubscriptionRule>();
        string? defaultPath = null;
        if (Property(item, "routes") is { ValueKind: JsonValueKind.Object } routes)
        {
            if (Property(routes, "rules") is { ValueKind: JsonValueKind.Array } ruleArray)
            {
                foreach (var rule in ruleArray.EnumerateArray())
                {
                    if (String(rule, "path") is { Length: > 0 } path)
                    {
                        rules.Add(new SubscriptionRule(String(rule, "match") ?? "", path));
                    }
                }
            }

            defaultPath = String(routes, "default");
        }

        if (string.IsNullOrEmpty(defaultPath))
        {
            defaultPath = String(item, "route");
        }

        if (rules.Count == 0 && string.IsNullOrEmpty(defaultPath))
        {
            // Entries with no route at all are ignored.
            return null;
        }

        if (Property(item, "bulkSubscribe") is { ValueKind: JsonValueKind.Object } bulk && Property(bulk, "enabled") is { ValueKind: JsonValueKind.True })
        {
            // Not emulated: an endpoint that binds BulkSubscribeMessage would not understand single deliveries.
            PubSubLog.BulkSubscribeUnsupported(logger, topic);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Property(item, "metadata") is { ValueKind: JsonValueKind.Object } meta)
        {
            foreach (var property in meta.EnumerateObject())
            {
                metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return new SubscriptionResource(
            $"programmatic-{pubsub}-{topic}", pubsub, topic, rules, string.IsNullOrEmpty(defaultPath) ? null : defaultPath,
            String(item, "deadLetterTopic") is { Length: > 0 } dlq ? dlq : null, metadata, [], "/dapr/subscribe");
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
