using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sidecar.Components;
using Sidecar.Faults;
using Sidecar.Hosting;
using Sidecar.Resiliency;
using Sidecar.Resources;

namespace Sidecar.PubSub;

/// <summary>How one HTTP delivery went, per the app-answer table of contract §4.6.</summary>
public enum DeliveryOutcomeKind
{
    Success,
    Retry,
    Drop,
}

/// <param name="HttpStatus">The status for resiliency matching; null for connection errors and RETRY answers.</param>
public sealed record DeliveryOutcome(DeliveryOutcomeKind Kind, int? HttpStatus, string Reason)
{
    public static DeliveryOutcome Success { get; } = new(DeliveryOutcomeKind.Success, null, "");

    /// <summary>Interprets the app's answer exactly like daprd: status strings are case-sensitive, 404 drops.</summary>
    public static DeliveryOutcome FromResponse(int status, ReadOnlySpan<byte> body)
    {
        if (status == (int)HttpStatusCode.NotFound)
        {
            return new DeliveryOutcome(DeliveryOutcomeKind.Drop, status, "the app answered 404");
        }

        if (status is < 200 or > 299)
        {
            return new DeliveryOutcome(DeliveryOutcomeKind.Retry, status, $"the app answered {status}");
        }

        string? appStatus;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("status", out var value))
            {
                return Success;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                // Go's decoder fails on a non-string status, and daprd treats an undecodable body as success.
                return Success;
            }

            appStatus = value.GetString();
        }
        catch (JsonException)
        {
            return Success;
        }

        return appStatus switch
        {
            "" or "SUCCESS" => Success,
            "DROP" => new DeliveryOutcome(DeliveryOutcomeKind.Drop, null, "the app answered DROP"),
            "RETRY" => new DeliveryOutcome(DeliveryOutcomeKind.Retry, null, "the app answered RETRY"),
            _ => new DeliveryOutcome(DeliveryOutcomeKind.Retry, null, $"unknown status '{appStatus}' from the app"),
        };
    }
}

/// <summary>The error handed back to the broker when a message could not be delivered and has no dead-letter topic.</summary>
public sealed class DeliveryFailedException(string message) : Exception(message);

/// <summary>
/// Delivers the messages of one subscription to the app (contract §4.5–4.7): envelope check and expiry,
/// routing, the POST, the answer, retries from the inbound Resiliency policy only, then the dead-letter
/// topic or the error back to the broker. Also injects the configured delivery faults.
/// </summary>
internal sealed class SubscriptionDelivery(
    ActiveSubscription subscription,
    PubSubComponent pubsub,
    AppChannel app,
    TargetPolicies policies,
    FaultInjector faults,
    ILogger logger,
    CancellationToken stoppingToken,
    TimeProvider? clock = null)
{
    private static readonly TimeSpan ReorderHoldLimit = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _holdLock = new();
    private BrokerMessage? _held;

    public async Task HandleAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        if (faults.Enabled && await InjectFaultsAsync(message, cancellationToken))
        {
            return;
        }

        try
        {
            await ProcessAsync(message, cancellationToken);
        }
        finally
        {
            await ReleaseHeldAsync(cancellationToken);
        }
    }

    /// <returns>True when the message was held back (reorder) and is delivered later.</returns>
    private async Task<bool> InjectFaultsAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        // Always draw in the same order so a seed reproduces the same faults.
        var reorder = faults.ShouldReorder();
        var duplicate = faults.ShouldDuplicate();
        var delay = faults.DeliveryDelay();
        if (reorder)
        {
            lock (_holdLock)
            {
                if (_held is null)
                {
                    _held = message;
                    PubSubLog.FaultInjected(logger, "reorder (held back)", "-", message.Topic);
                    // The broker's per-message token ends with this call; the held message lives until the sidecar stops.
                    _ = ReleaseAfterLimitAsync(message, stoppingToken);
                    return true;
                }
            }
        }

        if (delay is { } wait)
        {
            PubSubLog.FaultInjected(logger, $"delay {wait.TotalMilliseconds} ms", "-", message.Topic);
            await Task.Delay(wait, cancellationToken);
        }

        if (duplicate)
        {
            PubSubLog.FaultInjected(logger, "duplicate", "-", message.Topic);
            await ProcessQuietlyAsync(message, cancellationToken);
        }

        return false;
    }

    /// <summary>A held message goes out after the next one of its topic, or after a short limit if none comes.</summary>
    private async Task ReleaseAfterLimitAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(ReorderHoldLimit, cancellationToken);
            lock (_holdLock)
            {
                if (!ReferenceEquals(_held, message))
                {
                    return;
                }

                _held = null;
            }

            await ProcessQuietlyAsync(message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Sidecar stopping: the broker already counts a held message as handled, so it is lost (reordering trades at-least-once away).
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: report the failure instead of leaving it unobserved.
            PubSubLog.DeliveryFailed(logger, "-", message.Topic, ex.Message);
        }
    }

    private async Task ReleaseHeldAsync(CancellationToken cancellationToken)
    {
        BrokerMessage? held;
        lock (_holdLock)
        {
            held = _held;
            _held = null;
        }

        if (held is not null)
        {
            await ProcessQuietlyAsync(held, cancellationToken);
        }
    }

    /// <summary>For deliveries the broker no longer waits for (duplicates, released messages): failures are logged only.</summary>
    private async Task ProcessQuietlyAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is DeliveryFailedException or HttpRequestException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            PubSubLog.DeliveryFailed(logger, "-", message.Topic, ex.Message);
        }
    }

    private async Task ProcessAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        var (body, cloudEvent) = ReadEnvelope(message);
        var id = cloudEvent["id"]?.ToString() ?? "";
        using var document = JsonDocument.Parse(body);

        if (IsExpired(cloudEvent))
        {
            PubSubLog.MessageDropped(logger, id, message.Topic, "expired (ttlInSeconds)");
            await DeadLetterAsync(message, id, cancellationToken);
            return;
        }

        if (subscription.RouteFor(document.RootElement) is not { } path)
        {
            PubSubLog.NoRoute(logger, id, message.Topic);
            await DeadLetterAsync(message, id, cancellationToken);
            return;
        }

        var retry = policies.Retry;
        for (var retries = 0; ; retries++)
        {
            var outcome = await DeliverOnceAsync(path, message, body, cloudEvent, cancellationToken);
            switch (outcome.Kind)
            {
                case DeliveryOutcomeKind.Success:
                    return;
                case DeliveryOutcomeKind.Drop:
                    PubSubLog.MessageDropped(logger, id, message.Topic, outcome.Reason);
                    await DeadLetterAsync(message, id, cancellationToken);
                    return;
            }

            if (retry is not null && (outcome.HttpStatus is not { } status || retry.MatchesHttpStatus(status)) && retry.AllowsRetry(retries))
            {
                PubSubLog.DeliveryRetry(logger, id, message.Topic, retries + 1, outcome.Reason);
                await Task.Delay(retry.DelayBefore(retries + 1), cancellationToken);
                continue;
            }

            PubSubLog.DeliveryFailed(logger, id, message.Topic, outcome.Reason);
            if (subscription.Resource.DeadLetterTopic is not null)
            {
                await DeadLetterAsync(message, id, cancellationToken);
                return;
            }

            throw new DeliveryFailedException($"delivery of message {id} on topic {message.Topic} failed: {outcome.Reason}");
        }
    }

    private async Task<DeliveryOutcome> DeliverOnceAsync(string path, BrokerMessage message, byte[] body, JsonObject cloudEvent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path.StartsWith('/') ? path : "/" + path, UriKind.Relative));
        foreach (var (key, value) in message.Metadata)
        {
            // Keys that are not valid header names (or are content headers) are skipped, as Go's header map would reject them.
            request.Headers.TryAddWithoutValidation(key, value);
        }

        request.Headers.Remove("pubsubName");
        request.Headers.TryAddWithoutValidation("pubsubName", pubsub.Name);
        request.Headers.Remove("traceparent");
        request.Headers.TryAddWithoutValidation("traceparent", CloudEventEnvelope.ChildTraceParent(cloudEvent["traceparent"]?.ToString()));
        if (cloudEvent["tracestate"]?.ToString() is { Length: > 0 } traceState)
        {
            request.Headers.Remove("tracestate");
            request.Headers.TryAddWithoutValidation("tracestate", traceState);
        }

        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", CloudEventEnvelope.CloudEventContentType);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (policies.Timeout is { } timeout)
        {
            attempt.CancelAfter(timeout);
        }

        try
        {
            using var response = await app.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token);
            var answer = await response.Content.ReadAsByteArrayAsync(attempt.Token);
            return DeliveryOutcome.FromResponse((int)response.StatusCode, answer);
        }
        // When the broker's own deadline (processingTimeout) cancelled the call, HttpClient may surface it as an
        // HttpRequestException rather than a cancellation, depending on where the call was: it must still reach the
        // broker as "not handled" (left pending, redelivered), never become an outcome that gets acknowledged.
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryOutcome(DeliveryOutcomeKind.Retry, null, $"error calling the app: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryOutcome(DeliveryOutcomeKind.Retry, null, "the app did not answer within the resiliency timeout");
        }
    }

    private async Task DeadLetterAsync(BrokerMessage message, string id, CancellationToken cancellationToken)
    {
        if (subscription.Resource.DeadLetterTopic is not { } deadLetterTopic)
        {
            return;
        }

        // The original bytes and metadata; the CloudEvent keeps its original topic attribute.
        await pubsub.Broker.PublishAsync(deadLetterTopic, message.Data, message.Metadata, cancellationToken);
        PubSubLog.DeadLettered(logger, id, message.Topic, deadLetterTopic);
    }

    /// <summary>The bytes to POST and the CloudEvent to route on; rawPayload subscriptions get a synthesised envelope.</summary>
    private (byte[] Body, JsonObject CloudEvent) ReadEnvelope(BrokerMessage message)
    {
        if (subscription.Resource.RawPayload)
        {
            var synthesized = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["source"] = CloudEventEnvelope.DefaultSource,
                ["type"] = CloudEventEnvelope.DefaultType,
                ["specversion"] = CloudEventEnvelope.SpecVersion,
                ["datacontenttype"] = "application/octet-stream",
                ["data_base64"] = Convert.ToBase64String(message.Data.Span),
                ["topic"] = message.Topic,
                ["pubsubname"] = pubsub.Name,
                ["time"] = CloudEventEnvelope.FormatTime(_clock.GetLocalNow()),
            };
            return (CloudEventEnvelope.Serialize(synthesized), synthesized);
        }

        try
        {
            if (JsonNode.Parse(message.Data.Span) is JsonObject cloudEvent)
            {
                return (message.Data.ToArray(), cloudEvent);
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }

        throw new DeliveryFailedException($"the message on topic {message.Topic} is not a CloudEvent (was it published with rawPayload to a subscription without it?)");
    }

    private bool IsExpired(JsonObject cloudEvent) =>
        cloudEvent["expiration"]?.GetValueKind() == JsonValueKind.String &&
        DateTimeOffset.TryParse(cloudEvent["expiration"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration) &&
        expiration < _clock.GetUtcNow();
}
