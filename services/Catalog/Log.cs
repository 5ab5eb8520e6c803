using Catalog.Domain;

namespace Catalog;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Product {Sku} written as version {Version} ({Change})")]
    public static partial void ProductWritten(this ILogger logger, string sku, long version, ProductChangeKind change);

    [LoggerMessage(Level = LogLevel.Information, Message = "Product {Sku} not created: the SKU exists")]
    public static partial void ProductExists(this ILogger logger, string sku);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Product {Sku} changed under attempt {Attempt} (ETag conflict); reading it again")]
    public static partial void WriteConflict(this ILogger logger, string sku, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Product {Sku} version {Version} is no longer the stored one; the newer writer makes it queryable")]
    public static partial void IndexSkipped(this ILogger logger, string sku, long version);
}
