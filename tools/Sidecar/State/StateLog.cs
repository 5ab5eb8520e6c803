namespace Sidecar.State;

/// <summary>Source-generated log messages of the state stores.</summary>
internal static partial class StateLog
{
    [LoggerMessage(LogLevel.Warning, "state store {Component}: deleting expired rows failed, retrying at the next interval: {Error}")]
    public static partial void CleanupFailed(ILogger logger, string component, string error);
}
