namespace Sidecar.Jobs;

internal static partial class JobsLog
{
    [LoggerMessage(LogLevel.Debug, "Loaded {Count} job(s) from {File}")]
    public static partial void JobsLoaded(ILogger logger, int count, string file);

    [LoggerMessage(LogLevel.Information, "Job {Name} scheduled, first trigger at {NextAt}")]
    public static partial void JobScheduled(ILogger logger, string name, DateTimeOffset? nextAt);

    [LoggerMessage(LogLevel.Debug, "Job {Name} triggered, app answered {Status}")]
    public static partial void JobTriggered(ILogger logger, string name, int status);

    [LoggerMessage(LogLevel.Warning, "Job {Name} trigger failed: {Error}")]
    public static partial void JobTriggerFailed(ILogger logger, string name, string error);

    [LoggerMessage(LogLevel.Warning, "Job {Name}: failure policy exhausted after {Attempts} attempt(s); trigger dropped")]
    public static partial void JobGaveUp(ILogger logger, string name, uint attempts);

    [LoggerMessage(LogLevel.Information, "Job {Name} finished after {Triggered} trigger(s)")]
    public static partial void JobFinished(ILogger logger, string name, uint triggered);

    [LoggerMessage(LogLevel.Error, "Job {Name}: trigger bookkeeping failed")]
    public static partial void FireCrashed(ILogger logger, string name, Exception exception);

    [LoggerMessage(LogLevel.Information, "No app port: jobs are kept but not triggered")]
    public static partial void NoAppChannel(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Cron binding {Name}: app listens on /{Route}, schedule {Schedule}")]
    public static partial void CronListening(ILogger logger, string name, string route, string schedule);

    [LoggerMessage(LogLevel.Information, "Cron binding {Name}: app does not listen on /{Route} ({Reason}); not triggered")]
    public static partial void CronNotListening(ILogger logger, string name, string route, string reason);

    [LoggerMessage(LogLevel.Warning, "Cron binding {Name}: POST /{Route} failed: {Error}")]
    public static partial void CronTriggerFailed(ILogger logger, string name, string route, string error);
}
