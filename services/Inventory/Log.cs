using Inventory.Domain;

namespace Inventory;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Restocked {Sku} with {Quantity} units (restock {RestockId}); available {Available}")]
    public static partial void Restocked(this ILogger logger, string sku, int quantity, string restockId, long available);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ETag conflict on {Key}, attempt {Attempt}")]
    public static partial void WriteConflict(this ILogger logger, string key, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reservation {OrderId} recorded as pending with {LineCount} lines")]
    public static partial void ReservationStarted(this ILogger logger, string orderId, int lineCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reservation {OrderId} is now {Status} (version {Version})")]
    public static partial void ReservationMoved(this ILogger logger, string orderId, ReservationStatus status, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {EventType} of reservation {OrderId} (version {Version})")]
    public static partial void EventPublished(this ILogger logger, string eventType, string orderId, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the event of reservation {OrderId} (version {Version}) failed; re-reading it")]
    public static partial void PublishFailed(this ILogger logger, string orderId, long version, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reservation {OrderId} stayed pending past its deadline; rolling it back")]
    public static partial void PendingExpired(this ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A line of reservation {OrderId} on {Sku} was already settled; another request moved the reservation on")]
    public static partial void LineAlreadySettled(this ILogger logger, string orderId, string sku);

    [LoggerMessage(Level = LogLevel.Error, Message = "Settling {Settlement} of reservation {OrderId} on {Sku} found {Outcome}: stock records and reservation disagree")]
    public static partial void SettlementMismatch(this ILogger logger, LineSettlement settlement, string orderId, string sku, SettleOutcome outcome);
}
