using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Operations.DeadLetters;

/// <summary>
/// One dead-lettered event as operations keeps it: the CloudEvent as it arrived on the dead-letter topic, and what
/// happened to it since. daprd dead-letters the original message, so the CloudEvent keeps its id, type, data and
/// the topic it was first published to.
/// </summary>
/// <param name="Topic">The topic the event was published to, from the CloudEvent; null when the body was no CloudEvent (then it cannot be replayed).</param>
/// <param name="EventId">The CloudEvent id.</param>
/// <param name="Copies">How many times it arrived: once per subscriber that gave up on it, plus redeliveries.</param>
public sealed record DeadLetter(
    string Id,
    string DeadLetterTopic,
    string? Topic,
    string? Type,
    string? EventId,
    JsonObject Event,
    int Copies,
    DateTimeOffset FirstArrivedAt,
    DateTimeOffset LastArrivedAt,
    int Replays,
    DateTimeOffset? LastReplayedAt)
{
    /// <summary>
    /// The same event on the same dead-letter topic is one dead letter, whichever subscriber sent it and however
    /// often it was delivered: the id is derived from the two.
    /// </summary>
    public static string IdFor(string deadLetterTopic, string eventKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(deadLetterTopic + "\n" + eventKey)))[..32];

    public DeadLetterSummary Summary() => new(Id, DeadLetterTopic, Topic, Type, EventId, Copies, FirstArrivedAt, LastArrivedAt, Replays, LastReplayedAt);
}

/// <summary>A dead letter without its event, for lists.</summary>
public sealed record DeadLetterSummary(
    string Id,
    string DeadLetterTopic,
    string? Topic,
    string? Type,
    string? EventId,
    int Copies,
    DateTimeOffset FirstArrivedAt,
    DateTimeOffset LastArrivedAt,
    int Replays,
    DateTimeOffset? LastReplayedAt);

/// <summary>A page of dead letters, newest first, and how many there are in all (for the filter given).</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetterSummary> Items, int Total);

/// <summary>
/// Every dead letter's id in arrival order: the store (state.postgresql v2) has no query API, so the list is kept
/// as a document of its own, written in the same transaction as each new dead letter.
/// </summary>
public sealed record DeadLetterIndex(IReadOnlyList<DeadLetterIndexEntry> Entries);

public sealed record DeadLetterIndexEntry(string Id, string DeadLetterTopic);
