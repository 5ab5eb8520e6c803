using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sidecar.Api;
using Sidecar.Components;
using Sidecar.Hosting;

namespace Sidecar.PubSub;

/// <summary>daprd's publish API (contract §4.1–4.2): validation, the CloudEvent envelope, the broker call.</summary>
public sealed class PublishApi(ComponentRegistry components, SidecarOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<Empty> PublishAsync(PublishEventRequest request, TraceContext trace, CancellationToken cancellationToken)
    {
        var pubsub = Resolve(request.PubsubName, request.Topic);
        var input = new PublishInput(request.PubsubName, request.Topic, request.Data.Memory, request.DataContentType, request.Metadata);
        var message = Envelope(input, trace);
        try
        {
            await pubsub.Broker.PublishAsync(request.Topic, message.Data, message.Metadata, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"error when publish to topic {request.Topic} in pubsub {request.PubsubName}: {ex.Message}"));
        }

        return new Empty();
    }

    public async Task<BulkPublishResponse> BulkPublishAsync(BulkPublishRequest request, TraceContext trace, CancellationToken cancellationToken)
    {
        var pubsub = Resolve(request.PubsubName, request.Topic);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in request.Entries)
        {
            if (string.IsNullOrEmpty(entry.EntryId))
            {
                throw Invalid($"entryId is duplicated or not present for entry at index {request.Entries.IndexOf(entry)}");
            }

            if (!seen.Add(entry.EntryId))
            {
                throw Invalid($"entryId is duplicated or not present for entry {entry.EntryId}");
            }
        }

        // Envelope every entry first: a bad entry fails the whole call, as in daprd.
        var messages = request.Entries.Select(entry =>
        {
            var metadata = new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal);
            foreach (var (key, value) in entry.Metadata)
            {
                metadata[key] = value;
            }

            return (entry.EntryId, Message: Envelope(new PublishInput(request.PubsubName, request.Topic, entry.Event.Memory, entry.ContentType, metadata), trace));
        }).ToList();

        var response = new BulkPublishResponse();
        foreach (var (entryId, message) in messages)
        {
            try
            {
                await pubsub.Broker.PublishAsync(request.Topic, message.Data, message.Metadata, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                response.FailedEntries.Add(new BulkPublishResponseFailedEntry { EntryId = entryId, Error = ex.Message });
            }
        }

        return response;
    }

    private PubSubComponent Resolve(string pubsubName, string topic)
    {
        if (components.PubSubs.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "pubsub is not configured"));
        }

        if (string.IsNullOrEmpty(pubsubName))
        {
            throw Invalid("pubsub name is empty");
        }

        if (!components.PubSubs.TryGetValue(pubsubName, out var pubsub))
        {
            throw Invalid($"pubsub {pubsubName} is not found");
        }

        if (string.IsNullOrEmpty(topic))
        {
            throw Invalid($"topic is empty in pubsub {pubsubName}");
        }

        if (!TopicScopes.MayPublish(pubsub.Resource, options.AppId, topic))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"topic {topic} is not allowed for app id {options.AppId}"));
        }

        return pubsub;
    }

    private EnvelopedMessage Envelope(PublishInput input, TraceContext trace)
    {
        try
        {
            // daprd's publish span is a child of the caller's: same trace, new span id.
            var traceParent = CloudEventEnvelope.ChildTraceParent(trace.TraceParent);
            return CloudEventEnvelope.Build(input, options.AppId, traceParent, trace.TraceState, _clock.GetLocalNow(), Guid.NewGuid);
        }
        catch (EnvelopeException ex)
        {
            throw Invalid(ex.Message);
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
