
namespace Sidecar;

internal static partial class Log
{
    [LoggerMessage(LogLevel.Information, "App {AppId} is reachable at {Address}")]
    public static partial void AppReachable(ILogger logger, string appId, string address);

    [LoggerMessage(LogLevel.Warning, "Invocation of app {AppId} failed: {Error}")]
    public static partial void InvocationFailed(ILogger logger, string appId, string error);

    [LoggerMessage(LogLevel.Information, "Retrying invocation of {AppId} after status {Status} (attempt {Attempt})")]
    public static partial void InvocationRetry(ILogger logger, string appId, int status, int attempt);
}
