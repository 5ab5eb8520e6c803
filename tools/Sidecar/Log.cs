
namespace Sidecar;

internal static partial class Log
{
    [LoggerMessage(LogLevel.Information, "App {AppId} is reachable at {Address}")]
    public static partial void AppReachable(ILogger logger, string appId, string address);
}
