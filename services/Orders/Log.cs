namespace Orders;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} placed for customer {CustomerId} ({LineCount} lines, {Total} {Currency})")]
    public static partial void OrderPlaced(this ILogger logger, string orderId, string customerId, int lineCount, decimal total, string currency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} request replayed")]
    public static partial void OrderReplayed(this ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency key of order {OrderId} reused with a different request body")]
    public static partial void IdempotencyKeyReused(this ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} refused: {Reason}")]
    public static partial void OrderRefused(this ILogger logger, string orderId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} is now {Status} (version {Version})")]
    public static partial void OrderTransitioned(this ILogger logger, string orderId, Domain.OrderStatus status, long version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId}: write attempt {Attempt} lost a race ({Why}), retrying")]
    public static partial void WriteRaceLost(this ILogger logger, string orderId, int attempt, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: took over an expired write lease")]
    public static partial void LeaseTakenOver(this ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Order {OrderId}: commit failed, releasing the write lease")]
    public static partial void CommitFailed(this ILogger logger, string orderId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the write lease could not be released; it expires by itself")]
    public static partial void LeaseReleaseFailed(this ILogger logger, string orderId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog event {EventId} ({EventType}) for {Sku} v{Version}: {Outcome}")]
    public static partial void CatalogEventHandled(this ILogger logger, string eventId, string eventType, string sku, long version, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catalog event dropped to the dead-letter topic: {Reason}")]
    public static partial void CatalogEventDropped(this ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "State key {Key}: conditional write lost a race, retrying")]
    public static partial void ReplicaRaceLost(this ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the saga fast path failed ({Why}); the outbox event starts the saga")]
    public static partial void SagaFastPathFailed(this ILogger logger, string orderId, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Review deadline of order {OrderId} fired: {Outcome}")]
    public static partial void ReviewDeadlineFired(this ILogger logger, string orderId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobName} acknowledged without effect: {Why}")]
    public static partial void ReviewDeadlineIgnored(this ILogger logger, string jobName, string why);
}
