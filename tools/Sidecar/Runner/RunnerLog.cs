namespace Sidecar.Runner;

/// <summary>The runner's own messages (not the apps' or sidecars' lines, which are passed through with a prefix).</summary>
internal static partial class RunnerLog
{
    [LoggerMessage(LogLevel.Warning, "{Warning}")]
    public static partial void RunFileWarning(ILogger logger, string warning);

    [LoggerMessage(LogLevel.Information, "Starting {Count} app(s) from {RunFile}")]
    public static partial void Starting(ILogger logger, int count, string runFile);

    [LoggerMessage(LogLevel.Information, "Backend {Backend} listening on {Address} (data in {DataDirectory})")]
    public static partial void BackendStarted(ILogger logger, string backend, string address, string dataDirectory);

    [LoggerMessage(LogLevel.Warning, "App {AppId} exited with code {ExitCode}; starting it again (x-sidecar.restartApps)")]
    public static partial void AppRestarting(ILogger logger, string appId, int exitCode);

    [LoggerMessage(LogLevel.Information, "Databases ready: {Databases}")]
    public static partial void DatabasesReady(ILogger logger, string databases);

    [LoggerMessage(LogLevel.Information, "Backend {Backend} at {Address} (from {Variable})")]
    public static partial void BackendExternal(ILogger logger, string backend, string address, string variable);

    [LoggerMessage(LogLevel.Information, "Installing missing backend packages: {Command}")]
    public static partial void InstallingPackages(ILogger logger, string command);

    [LoggerMessage(LogLevel.Information, "App {AppId} started (pid {Pid}): {Command}")]
    public static partial void AppStarted(ILogger logger, string appId, int pid, string command);

    [LoggerMessage(LogLevel.Information, "App {AppId} is healthy ({Check})")]
    public static partial void AppHealthy(ILogger logger, string appId, string check);

    [LoggerMessage(LogLevel.Error, "{Reason}; stopping the run")]
    public static partial void RunFailed(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Information, "You're up and running! {Count} app(s) and their sidecars started; Ctrl+C stops them")]
    public static partial void Running(ILogger logger, int count);

    [LoggerMessage(LogLevel.Information, "Stopping {Count} app(s)")]
    public static partial void Stopping(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning, "App {AppId} did not stop within {Seconds} s of SIGTERM; killing its process tree")]
    public static partial void KillingApp(ILogger logger, string appId, double seconds);

    [LoggerMessage(LogLevel.Information, "Stopped")]
    public static partial void Stopped(ILogger logger);
}
