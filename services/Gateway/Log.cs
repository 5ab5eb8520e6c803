namespace Gateway;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency {AppId} failed for {Path}: {Reason}")]
    public static partial void DependencyFailed(this ILogger logger, string appId, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} composed without {MissingParts}")]
    public static partial void PartialOrder(this ILogger logger, string orderId, string missingParts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Product cache unreadable for {Sku}; asking catalog: {Error}")]
    public static partial void CacheReadFailed(this ILogger logger, string sku, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Product cache not written for {Sku}: {Error}")]
    public static partial void CacheWriteFailed(this ILogger logger, string sku, string error);
}
