namespace Payments;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Saga event {EventType} {EventId} for order {OrderId}: {Outcome}")]
    public static partial void SagaEventHandled(this ILogger logger, string eventType, string eventId, string orderId, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saga event {EventType} {EventId} for order {OrderId} answered RETRY: {Why}")]
    public static partial void SagaEventDeferred(this ILogger logger, string eventType, string eventId, string orderId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saga event {EventType} dropped to the dead-letter topic: {Reason}")]
    public static partial void SagaEventDropped(this ILogger logger, string eventType, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Saga event {EventType} is not one payments reacts to; acknowledged")]
    public static partial void SagaEventIgnored(this ILogger logger, string eventType);
}
