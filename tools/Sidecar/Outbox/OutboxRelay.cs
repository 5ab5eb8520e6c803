using System.Text.Json;
using System.Text.Json.Nodes;
using Sidecar.Components;
using Sidecar.Faults;
using Sidecar.Hosting;
using Sidecar.PubSub;

namespace Sidecar.Outbox;

/// <summary>
/// daprd's outbox phase 2 (contract §3.2): subscribes directly on the outbox pub/sub component to each store's
/// internal topic (no resiliency, scopes or dead-lettering), waits the relay delay, polls for the marker, then
/// publishes the CloudEvent to the user topic and deletes the marker. At least once: a crash after the publish
/// and before the delete relays the same message again, with the same id.
/// </summary>
public sealed class OutboxRelay(SidecarOptions options, ComponentRegistry registry, FaultInjector faults, ILogger<OutboxRelay> logger)
{
    // daprd's backoff for the marker look-up and delete: 0.5 s, ×3, at most 3 s apart, 10 s in all.
    private static readonly TimeSpan InitialInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MaxElapsed = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken stoppingToken)
    {
        foreach (var store in registry.StateStores.Values)
        {
            if (OutboxSettings.From(store.Resource) is not { } settings)
            {
                continue;
            }

            if (!registry.PubSubs.TryGetValue(settings.OutboxPubsub, out var outboxPubsub) ||
                !registry.PubSubs.TryGetValue(settings.PublishPubsub, out var publishPubsub))
            {
                OutboxLog.PubsubMissing(logger, store.Name, settings.OutboxPubsub);
                continue;
            }

            var topic = settings.InternalTopic(options.EffectiveNamespace, options.AppId);
            await outboxPubsub.Broker.SubscribeAsync(
                topic,
                (message, ct) => RelayAsync(store, settings, publishPubsub.Broker, message, ct),
                stoppingToken);
        }
    }

    private async Task RelayAsync(StateStoreComponent store, OutboxSettings settings, IPubSubBroker publishBroker, BrokerMessage message, CancellationToken cancellationToken)
    {
        var cloudEvent = JsonNode.Parse(message.Data.Span) as JsonObject
            ?? throw new JsonException("outbox message is not a JSON object");
        var markerKey = cloudEvent["id"]?.GetValue<string>() ?? "";

        await Task.Delay(options.OutboxRelayDelay, cancellationToken);
        var found = await RetryAsync(async () =>
        {
            var entry = await store.Store.GetAsync(markerKey, cancellationToken);
            return entry is { Data.Length: > 0 };
        }, cancellationToken);

        if (!found)
        {
            if (settings.DiscardWhenMissingState)
            {
                OutboxLog.Discarded(logger, markerKey, settings.PublishTopic);
                return;
            }

            OutboxLog.Rejected(logger, markerKey, settings.PublishTopic);
            throw new InvalidOperationException($"cannot publish outbox message to topic {settings.PublishTopic} with pubsub {settings.PublishPubsub}: outbox state not found");
        }

        if (faults.ShouldCrashOutboxRelay())
        {
            // The window the fault tests aim at: the business state committed, the event not yet relayed.
            OutboxLog.InjectedCrash(logger, markerKey);
            if (options.CrashExitsProcess)
            {
                Environment.Exit(137);
            }

            throw new SimulatedCrashException($"injected crash before relaying {markerKey}");
        }

        cloudEvent["topic"] = settings.PublishTopic;
        cloudEvent["pubsubname"] = settings.PublishPubsub;
        await publishBroker.PublishAsync(settings.PublishTopic, JsonSerializer.SerializeToUtf8Bytes(cloudEvent), new Dictionary<string, string>(), cancellationToken);

        var deleted = await RetryAsync(async () =>
        {
            await store.Store.DeleteAsync(new State.StateDeleteRequest(markerKey, null, State.StateConcurrency.LastWrite), cancellationToken);
            return true;
        }, cancellationToken);
        if (!deleted)
        {
            throw new InvalidOperationException($"could not delete outbox marker {markerKey}");
        }
    }

    /// <summary>Retries until <paramref name="attempt"/> returns true or the backoff runs out; store errors count as a failed attempt.</summary>
    private async Task<bool> RetryAsync(Func<Task<bool>> attempt, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var interval = InitialInterval;
        while (true)
        {
            try
            {
                if (await attempt())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                OutboxLog.StoreError(logger, ex.Message);
            }

            if (DateTime.UtcNow - started + interval > MaxElapsed)
            {
                return false;
            }

            await Task.Delay(interval, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 3, MaxInterval.Ticks));
        }
    }
}

internal static partial class OutboxLog
{
    [LoggerMessage(LogLevel.Warning, "Outbox of state store {Store}: pub/sub {Pubsub} is not loaded; its events will not be relayed")]
    public static partial void PubsubMissing(ILogger logger, string store, string pubsub);

    [LoggerMessage(LogLevel.Error, "Outbox message {Id} for topic {Topic}: state not found, discarding message")]
    public static partial void Discarded(ILogger logger, string id, string topic);

    [LoggerMessage(LogLevel.Error, "Outbox message {Id} for topic {Topic}: state not found, rejecting for later processing")]
    public static partial void Rejected(ILogger logger, string id, string topic);

    [LoggerMessage(LogLevel.Warning, "Fault injection: outbox relay crashes before relaying {Id}")]
    public static partial void InjectedCrash(ILogger logger, string id);

    [LoggerMessage(LogLevel.Warning, "Outbox relay store operation failed: {Error}")]
    public static partial void StoreError(ILogger logger, string error);
}
