namespace Sidecar.PubSub;

/// <summary>Source-generated log messages of the pub/sub feature.</summary>
internal static partial class PubSubLog
{
    [LoggerMessage(LogLevel.Error, "pubsub {Component}: delivery on topic {Topic} failed and the message is dropped: {Error}")]
    public static partial void InMemoryDeliveryDropped(ILogger logger, string component, string topic, string error);

    [LoggerMessage(LogLevel.Error, "pubsub {Component}: error processing Redis message {MessageId} on stream {Stream}: {Error}")]
    public static partial void RedisProcessingFailed(ILogger logger, string component, string messageId, string stream, string error);

    [LoggerMessage(LogLevel.Debug, "pubsub {Component}: claimed {Count} message(s) pending past processingTimeout on stream {Stream} for redelivery")]
    public static partial void RedisReclaimed(ILogger logger, string component, string stream, int count);

    [LoggerMessage(LogLevel.Error, "pubsub {Component}: Redis stream {Stream} loop failed: {Error}")]
    public static partial void RedisLoopFailed(ILogger logger, string component, string stream, string error);

    [LoggerMessage(LogLevel.Information, "Subscribed to topic {Topic} on pubsub {Component} (routes: {Routes})")]
    public static partial void Subscribed(ILogger logger, string topic, string component, string routes);

    [LoggerMessage(LogLevel.Warning, "Subscription to topic {Topic} ignored: {Reason}")]
    public static partial void SubscriptionIgnored(ILogger logger, string topic, string reason);

    [LoggerMessage(LogLevel.Warning, "Subscription to topic {Topic} asks for bulkSubscribe, which this sidecar does not emulate: messages are delivered one at a time")]
    public static partial void BulkSubscribeUnsupported(ILogger logger, string topic);

    [LoggerMessage(LogLevel.Warning, "GET /dapr/subscribe answered {Status}; the app has no programmatic subscriptions")]
    public static partial void SubscribeEndpointFailed(ILogger logger, int status);

    [LoggerMessage(LogLevel.Warning, "GET /dapr/subscribe failed (attempt {Attempt}): {Error}")]
    public static partial void SubscribeEndpointUnreachable(ILogger logger, int attempt, string error);

    [LoggerMessage(LogLevel.Warning, "Message {MessageId} on topic {Topic} was dropped: {Reason}")]
    public static partial void MessageDropped(ILogger logger, string messageId, string topic, string reason);

    [LoggerMessage(LogLevel.Information, "Retrying delivery of message {MessageId} on topic {Topic} (retry {Retry}): {Reason}")]
    public static partial void DeliveryRetry(ILogger logger, string messageId, string topic, int retry, string reason);

    [LoggerMessage(LogLevel.Warning, "Delivery of message {MessageId} on topic {Topic} failed: {Reason}")]
    public static partial void DeliveryFailed(ILogger logger, string messageId, string topic, string reason);

    [LoggerMessage(LogLevel.Warning, "Message {MessageId} on topic {Topic} sent to dead-letter topic {DeadLetterTopic}")]
    public static partial void DeadLettered(ILogger logger, string messageId, string topic, string deadLetterTopic);

    [LoggerMessage(LogLevel.Debug, "Message {MessageId} on topic {Topic} matched no route and was acknowledged without delivery")]
    public static partial void NoRoute(ILogger logger, string messageId, string topic);

    [LoggerMessage(LogLevel.Information, "Fault injection: {Fault} for message {MessageId} on topic {Topic}")]
    public static partial void FaultInjected(ILogger logger, string fault, string messageId, string topic);
}
