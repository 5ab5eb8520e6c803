
namespace Sidecar.Workflow;

internal static partial class WorkflowLog
{
    [LoggerMessage(LogLevel.Information, "Workflow engine loaded {Count} instances from the actor state store")]
    public static partial void Loaded(ILogger logger, int count);

    [LoggerMessage(LogLevel.Information, "Workflow worker connected (stream {StreamId})")]
    public static partial void WorkerConnected(ILogger logger, long streamId);

    [LoggerMessage(LogLevel.Information, "Workflow worker disconnected (stream {StreamId}); its unfinished work items will be sent again")]
    public static partial void WorkerDisconnected(ILogger logger, long streamId);

    [LoggerMessage(LogLevel.Error, "Workflow {InstanceId}: don't know how to process outbound message (sendEvent is not routable in daprd 1.16-1.18); the turn failed and the instance waits for another event")]
    public static partial void SendEventUnsupported(ILogger logger, string instanceId);

    [LoggerMessage(LogLevel.Warning, "Workflow {InstanceId}: action {Action} is not supported and was ignored")]
    public static partial void ActionIgnored(ILogger logger, string instanceId, string action);

    [LoggerMessage(LogLevel.Error, "Workflow {ParentId}: child instance id {ChildId} belongs to another running workflow")]
    public static partial void ChildIdInUse(ILogger logger, string parentId, string childId);

    [LoggerMessage(LogLevel.Warning, "Workflow {InstanceId}: the {Step} could not be saved ({Error}); it runs again in 1 s")]
    public static partial void SaveFailed(ILogger logger, string instanceId, string step, string error);

    [LoggerMessage(LogLevel.Warning, "Workflow {InstanceId}: timer {TimerId} could not be delivered ({Error}); trying again in 1 s")]
    public static partial void TimerFailed(ILogger logger, string instanceId, int timerId, string error);
}
