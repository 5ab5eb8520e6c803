namespace Operations;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {Id} kept: {Type} (event {EventId}) from topic {Topic} via {DeadLetterTopic}, copy {Copies}")]
    public static partial void DeadLetterKept(this ILogger logger, string id, string? type, string? eventId, string? topic, string deadLetterTopic, int copies);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letter {Id} replayed to topic {Topic} (replay {Replays})")]
    public static partial void DeadLetterReplayed(this ILogger logger, string id, string topic, int replays);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dead letters changed concurrently (attempt {Attempt}); reading them again")]
    public static partial void ConcurrentChange(this ILogger logger, int attempt);
}
