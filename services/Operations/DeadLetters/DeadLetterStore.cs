using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Operations.DeadLetters;

/// <summary>
/// Keeps dead letters in operations-store and replays them. Arrivals are at least once and may come from several
/// subscribers at the same moment: every write is ETag-checked and retried on a lost race, and a new dead letter
/// and its index entry commit together.
/// </summary>
public sealed class DeadLetterStore(DaprClient dapr, TimeProvider time, IOptions<OperationsOptions> options, ILogger<DeadLetterStore> logger)
{
    private const string IndexKey = "deadletters-index";

    private const string DeadLetterSuffix = "-dlq";

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    // Attributes daprd sets again on a publish, or that would make a replay expire or join the old trace.
    private static readonly string[] AttributesNotReplayed = ["topic", "pubsubname", "traceid", "traceparent", "tracestate", "expiration", "time"];

    private readonly OperationsOptions _options = options.Value;

    /// <summary>Records one arrival of a dead-lettered message; a second arrival of the same event counts a copy.</summary>
    public async Task<DeadLetter> KeepAsync(string deadLetterTopic, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var (cloudEvent, eventId) = Read(body);
        var id = DeadLetter.IdFor(deadLetterTopic, eventId ?? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body.Span)));
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var (existing, etag) = await dapr.GetStateAndETagAsync<DeadLetter?>(DaprNames.StateStore, Key(id), cancellationToken: cancellationToken);
            if (existing is not null)
            {
                var copy = existing with { Copies = existing.Copies + 1, LastArrivedAt = now };
                if (await dapr.TrySaveStateAsync(DaprNames.StateStore, Key(id), copy, etag, cancellationToken: cancellationToken))
                {
                    logger.DeadLetterKept(id, copy.Type, copy.EventId, copy.Topic, deadLetterTopic, copy.Copies);
                    return copy;
                }
            }
            else
            {
                var kept = new DeadLetter(
                    id, deadLetterTopic, Text(cloudEvent, "topic"), Text(cloudEvent, "type"), eventId, cloudEvent, Copies: 1, now, now, Replays: 0, LastReplayedAt: null);
                var (index, indexEtag) = await dapr.GetStateAndETagAsync<DeadLetterIndex?>(DaprNames.StateStore, IndexKey, cancellationToken: cancellationToken);
                var entries = (index?.Entries ?? []).Append(new DeadLetterIndexEntry(id, deadLetterTopic)).ToList();
                if (await TryCommitAsync(kept, new DeadLetterIndex(entries), indexEtag, cancellationToken))
                {
                    logger.DeadLetterKept(id, kept.Type, kept.EventId, kept.Topic, deadLetterTopic, 1);
                    return kept;
                }
            }

            await BackoffAfterConflictAsync(attempt, cancellationToken);
        }
    }

    public async Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<DeadLetter?>(DaprNames.StateStore, Key(id), cancellationToken: cancellationToken);

    /// <summary>Newest first, optionally only those of one dead-letter topic.</summary>
    public async Task<DeadLetterPage> ListAsync(string? deadLetterTopic, int limit, CancellationToken cancellationToken)
    {
        var index = await dapr.GetStateAsync<DeadLetterIndex?>(DaprNames.StateStore, IndexKey, cancellationToken: cancellationToken);
        var matching = (index?.Entries ?? [])
            .Where(e => deadLetterTopic is null || e.DeadLetterTopic == deadLetterTopic)
            .Reverse()
            .ToList();
        var page = matching.Take(Math.Min(limit, _options.MaxPageSize)).Select(e => Key(e.Id)).ToList();
        var items = page.Count == 0 ? [] : await dapr.GetBulkStateAsync(DaprNames.StateStore, page, parallelism: null, cancellationToken: cancellationToken);
        var byKey = items.Where(i => !string.IsNullOrEmpty(i.Value)).ToDictionary(i => i.Key, i => JsonSerializer.Deserialize<DeadLetter>(i.Value, dapr.JsonSerializerOptions)!, StringComparer.Ordinal);
        return new DeadLetterPage([.. page.Where(byKey.ContainsKey).Select(k => byKey[k].Summary())], matching.Count);
    }

    /// <summary>
    /// Publishes the event again to the topic it was first published to, as the same CloudEvent (same id, type and
    /// data), so consumers that handled it already recognise it and the one that gave up gets another chance.
    /// </summary>
    /// <returns>null when there is no such dead letter.</returns>
    /// <exception cref="NotReplayableException">The dead letter names no topic (its body was no CloudEvent).</exception>
    public async Task<DeadLetter?> ReplayAsync(string id, CancellationToken cancellationToken)
    {
        if (await GetAsync(id, cancellationToken) is not { } deadLetter)
        {
            return null;
        }

        // Only ever back to the topic the dead-letter topic belongs to (DESIGN §4: <topic>-dlq), whatever the body says.
        if (deadLetter.EventId is null || deadLetter.Topic is not { } topic || deadLetter.DeadLetterTopic != topic + DeadLetterSuffix)
        {
            throw new NotReplayableException(id, deadLetter.Topic is null ? "it was no CloudEvent, so it names no topic" : $"it names topic '{deadLetter.Topic}', which {deadLetter.DeadLetterTopic} is not the dead-letter topic of");
        }

        var envelope = deadLetter.Event.DeepClone().AsObject();
        foreach (var attribute in AttributesNotReplayed)
        {
            envelope.Remove(attribute);
        }

        await dapr.PublishByteEventAsync(DaprNames.PubSub, topic, JsonSerializer.SerializeToUtf8Bytes(envelope), "application/cloudevents+json", cancellationToken: cancellationToken);

        // Published first, recorded after: a failure in between replays once more on a retry, which consumers absorb.
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<DeadLetter?>(DaprNames.StateStore, Key(id), cancellationToken: cancellationToken);
            var replayed = current! with { Replays = current.Replays + 1, LastReplayedAt = time.GetUtcNow() };
            if (await dapr.TrySaveStateAsync(DaprNames.StateStore, Key(id), replayed, etag, cancellationToken: cancellationToken))
            {
                logger.DeadLetterReplayed(id, topic, replayed.Replays);
                return replayed;
            }

            await BackoffAfterConflictAsync(attempt, cancellationToken);
        }
    }

    private static string Key(string id) => "deadletter-" + id;

    private static (JsonObject CloudEvent, string? EventId) Read(ReadOnlyMemory<byte> body)
    {
        try
        {
            if (JsonNode.Parse(body.Span) is JsonObject cloudEvent)
            {
                return (cloudEvent, Text(cloudEvent, "id"));
            }
        }
        catch (JsonException)
        {
        }

        // Not a CloudEvent (a raw payload): kept as bytes, never lost, but it names no topic to replay to.
        return (new JsonObject { ["data_base64"] = Convert.ToBase64String(body.Span) }, null);
    }

    private static string? Text(JsonObject cloudEvent, string attribute) =>
        cloudEvent[attribute] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrEmpty(text) ? text : null;

    private async Task<bool> TryCommitAsync(DeadLetter kept, DeadLetterIndex index, string? indexEtag, CancellationToken cancellationToken)
    {
        StateTransactionRequest[] operations =
        [
            new(Key(kept.Id), JsonSerializer.SerializeToUtf8Bytes(kept, dapr.JsonSerializerOptions), StateOperationType.Upsert, options: FirstWrite),
            new(
                IndexKey,
                JsonSerializer.SerializeToUtf8Bytes(index, dapr.JsonSerializerOptions),
                StateOperationType.Upsert,
                etag: string.IsNullOrEmpty(indexEtag) ? null : indexEtag,
                options: string.IsNullOrEmpty(indexEtag) ? FirstWrite : null),
        ];
        try
        {
            await dapr.ExecuteStateTransactionAsync(DaprNames.StateStore, operations, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException exception) when (StateTransactionErrors.IsFailedCondition(exception))
        {
            return false;
        }
    }

    /// <summary>Gives up after the configured attempts; otherwise a short random pause, so racing writers spread out.</summary>
    private Task BackoffAfterConflictAsync(int attempt, CancellationToken cancellationToken)
    {
        logger.ConcurrentChange(attempt);
        if (attempt >= _options.MaxWriteAttempts)
        {
            throw new ConcurrencyConflictException($"dead letters kept changing concurrently; gave up after {attempt} attempts");
        }

        return Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(attempt, 10))), time, cancellationToken);
    }
}

/// <summary>The dead letter cannot be published again: it names no topic, or one its dead-letter topic does not belong to.</summary>
public sealed class NotReplayableException(string id, string reason) : Exception($"dead letter {id} cannot be replayed: {reason}");
