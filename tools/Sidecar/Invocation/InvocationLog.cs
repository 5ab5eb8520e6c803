namespace Sidecar.Invocation;

/// <summary>Log messages of service invocation (kept here, not in the shared Log.cs, so branches merge cleanly).</summary>
internal static partial class InvocationLog
{
    [LoggerMessage(LogLevel.Warning, "Invocation of app {AppId} failed: {Error}")]
    public static partial void InvocationFailed(ILogger logger, string appId, string error);

    [LoggerMessage(LogLevel.Information, "Retrying invocation of {AppId} after status {Status} (attempt {Attempt})")]
    public static partial void InvocationRetry(ILogger logger, string appId, int status, int attempt);

    [LoggerMessage(LogLevel.Debug, "Injected fault: invocation of {AppId} waits {Delay} before it is sent")]
    public static partial void InvocationDelayed(ILogger logger, string appId, TimeSpan delay);

    [LoggerMessage(LogLevel.Warning, "Circuit breaker for app {AppId} is open: failing the call without sending it")]
    public static partial void CircuitOpen(ILogger logger, string appId);

    [LoggerMessage(LogLevel.Warning, "Access control denied {CallerAppId} calling {Method} with {Verb}")]
    public static partial void AccessDenied(ILogger logger, string callerAppId, string method, string verb);
}
