using OrderSaga.Domain;

namespace OrderSaga;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Saga {OrderId} started ({Total} {Currency})")]
    public static partial void SagaStarted(this ILogger logger, string orderId, decimal total, string currency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saga {OrderId}: step {Step} failed ({Reason}); compensating")]
    public static partial void StepFailed(this ILogger logger, string orderId, SagaStep step, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Saga {OrderId} needs repair: {Step} kept failing: {Error}")]
    public static partial void NeedsRepair(this ILogger logger, string orderId, SagaStep step, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saga {OrderId} finished: {State} ({Reason})")]
    public static partial void SagaFinished(this ILogger logger, string orderId, SagaState state, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancellation of order {OrderId} started ({Reason})")]
    public static partial void CancellationStarted(this ILogger logger, string orderId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saga {OrderId}: start requested by {Source}, {Outcome}")]
    public static partial void StartRequested(this ILogger logger, string orderId, string source, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saga {OrderId}: review decision raised (approved: {Approved})")]
    public static partial void ReviewRaised(this ILogger logger, string orderId, bool approved);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Orders event {EventType} ignored: {Why}")]
    public static partial void OrderEventIgnored(this ILogger logger, string eventType, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orders event dropped to the dead-letter topic: {Reason}")]
    public static partial void OrderEventDropped(this ILogger logger, string reason);
}
