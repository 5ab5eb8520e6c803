using OrderQuery.Storage;

namespace OrderQuery;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Schema {Schema} migrated from version {From} to {To}")]
    public static partial void SchemaMigrated(this ILogger logger, string schema, int from, int to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The view database is not reachable yet (attempt {Attempt}), trying again: {Error}")]
    public static partial void DatabaseNotReady(this ILogger logger, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {EventId} for {AggregateId} v{Version}: {Outcome}")]
    public static partial void EventProjected(this ILogger logger, string eventType, string eventId, string aggregateId, long version, ProjectionOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventType} on topic {Topic} dropped to the dead-letter topic: {Reason}")]
    public static partial void EventDropped(this ILogger logger, string topic, string eventType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild into schema {Schema}: {Products} products, {Orders} orders of {Customers} customers, {Payments} payments, {Reservations} reservations")]
    public static partial void RebuildFinished(this ILogger logger, string schema, int products, int orders, int customers, int payments, int reservations);
}
