using System.Text.Json;

namespace ServiceDefaults;

/// <summary>
/// Dapr's answer to a pub/sub delivery (contract §4.6): SUCCESS acknowledges, RETRY is retried by resiliency.yaml,
/// DROP dead-letters; a 5xx is retried like RETRY.
/// </summary>
public sealed record TopicStatus(string Status)
{
    public static TopicStatus Success { get; } = new("SUCCESS");

    public static TopicStatus Retry { get; } = new("RETRY");

    public static TopicStatus Drop { get; } = new("DROP");
}

/// <summary>How every consumer reads integration events: camelCase, and a missing required field makes the event malformed (DROP).</summary>
public static class IntegrationEventJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Reads one event from a delivery's body; on failure, why it is to be dropped (malformed JSON, or JSON null).</summary>
    public static async Task<(T? Event, string? DropReason)> ReadAsync<T>(Stream body, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(body, Options, cancellationToken) is { } read
                ? (read, null)
                : (null, "unreadable: the body is JSON null");
        }
        catch (JsonException ex)
        {
            return (null, $"malformed: {ex.Message}");
        }
    }
}
