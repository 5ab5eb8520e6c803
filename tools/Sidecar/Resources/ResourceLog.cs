namespace Sidecar.Resources;

/// <summary>Log messages of resource loading (own file so branches merge cleanly).</summary>
internal static partial class ResourceLog
{
    [LoggerMessage(LogLevel.Warning, "Resource warning: {Warning}")]
    public static partial void Warning(ILogger logger, string warning);
}
