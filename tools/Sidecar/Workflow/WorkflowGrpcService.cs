using Dapr.DurableTask.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sidecar.Api;

namespace Sidecar.Workflow;

/// <summary>
/// <c>TaskHubSidecarService</c> (no proto package), the protocol Dapr.Workflow 1.18.7's client and worker speak
/// (contract §1.2, §6). Bound by hand like <see cref="DaprGrpcService"/>.
/// </summary>
[BindServiceMethod(typeof(WorkflowGrpcService), nameof(BindService))]
internal class WorkflowGrpcService(WorkflowEngine engine)
{
    public const string ServiceName = "TaskHubSidecarService";

    public virtual Task<Empty> Hello(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public virtual async Task<CreateInstanceResponse> StartInstance(CreateInstanceRequest request, ServerCallContext context) =>
        new() { InstanceId = await engine.StartInstanceAsync(request, context.CancellationToken) };

    public virtual Task<GetInstanceResponse> GetInstance(GetInstanceRequest request, ServerCallContext context) =>
        engine.GetInstanceAsync(request.InstanceId, request.GetInputsAndOutputs);

    public virtual Task<GetInstanceResponse> WaitForInstanceStart(GetInstanceRequest request, ServerCallContext context) =>
        engine.WaitForStartAsync(request.InstanceId, request.GetInputsAndOutputs, context.CancellationToken);

    public virtual Task<GetInstanceResponse> WaitForInstanceCompletion(GetInstanceRequest request, ServerCallContext context) =>
        engine.WaitForCompletionAsync(request.InstanceId, request.GetInputsAndOutputs, context.CancellationToken);

    public virtual async Task<RaiseEventResponse> RaiseEvent(RaiseEventRequest request, ServerCallContext context)
    {
        await engine.RaiseEventAsync(request, context.CancellationToken);
        return new RaiseEventResponse();
    }

    public virtual async Task<TerminateResponse> TerminateInstance(TerminateRequest request, ServerCallContext context)
    {
        await engine.TerminateAsync(request, context.CancellationToken);
        return new TerminateResponse();
    }

    public virtual async Task<SuspendResponse> SuspendInstance(SuspendRequest request, ServerCallContext context)
    {
        await engine.SuspendAsync(request.InstanceId, request.Reason, context.CancellationToken);
        return new SuspendResponse();
    }

    public virtual async Task<ResumeResponse> ResumeInstance(ResumeRequest request, ServerCallContext context)
    {
        await engine.ResumeAsync(request.InstanceId, request.Reason, context.CancellationToken);
        return new ResumeResponse();
    }

    public virtual async Task<PurgeInstancesResponse> PurgeInstances(PurgeInstancesRequest request, ServerCallContext context) =>
        new() { DeletedInstanceCount = await engine.PurgeAsync(request, context.CancellationToken), IsComplete = true };

    public virtual Task GetWorkItems(GetWorkItemsRequest request, IServerStreamWriter<WorkItem> responseStream, ServerCallContext context) =>
        engine.ServeWorkerAsync(responseStream, context.CancellationToken);

    public virtual async Task<CompleteTaskResponse> CompleteActivityTask(ActivityResponse request, ServerCallContext context)
    {
        await engine.CompleteActivityAsync(request, context.CancellationToken);
        return new CompleteTaskResponse();
    }

    // 1.18.7 calls the deprecated name; the 1.18 proto also has CompleteWorkflowTask. One handler for both.
    public virtual async Task<CompleteTaskResponse> CompleteOrchestratorTask(WorkflowResponse request, ServerCallContext context)
    {
        await engine.CompleteTurnAsync(request, context.CancellationToken);
        return new CompleteTaskResponse();
    }

    public virtual Task<CompleteTaskResponse> CompleteWorkflowTask(WorkflowResponse request, ServerCallContext context) => CompleteOrchestratorTask(request, context);

    public virtual Task<ListInstanceIDsResponse> ListInstanceIDs(ListInstanceIDsRequest request, ServerCallContext context) => engine.ListInstanceIdsAsync(request);

    public virtual Task<GetInstanceHistoryResponse> GetInstanceHistory(GetInstanceHistoryRequest request, ServerCallContext context) => engine.GetHistoryAsync(request.InstanceId);

    public static void BindService(ServiceBinderBase binder, WorkflowGrpcService? service)
    {
        Unary<Empty, Empty>(binder, "Hello", service is null ? null : service.Hello);
        Unary<CreateInstanceRequest, CreateInstanceResponse>(binder, "StartInstance", service is null ? null : service.StartInstance);
        Unary<GetInstanceRequest, GetInstanceResponse>(binder, "GetInstance", service is null ? null : service.GetInstance);
        Unary<GetInstanceRequest, GetInstanceResponse>(binder, "WaitForInstanceStart", service is null ? null : service.WaitForInstanceStart);
        Unary<GetInstanceRequest, GetInstanceResponse>(binder, "WaitForInstanceCompletion", service is null ? null : service.WaitForInstanceCompletion);
        Unary<RaiseEventRequest, RaiseEventResponse>(binder, "RaiseEvent", service is null ? null : service.RaiseEvent);
        Unary<TerminateRequest, TerminateResponse>(binder, "TerminateInstance", service is null ? null : service.TerminateInstance);
        Unary<SuspendRequest, SuspendResponse>(binder, "SuspendInstance", service is null ? null : service.SuspendInstance);
        Unary<ResumeRequest, ResumeResponse>(binder, "ResumeInstance", service is null ? null : service.ResumeInstance);
        Unary<PurgeInstancesRequest, PurgeInstancesResponse>(binder, "PurgeInstances", service is null ? null : service.PurgeInstances);
        binder.AddMethod(
            new Method<GetWorkItemsRequest, WorkItem>(MethodType.ServerStreaming, ServiceName, "GetWorkItems", GrpcMarshallers.For<GetWorkItemsRequest>(), GrpcMarshallers.For<WorkItem>()),
            service is null ? null : new ServerStreamingServerMethod<GetWorkItemsRequest, WorkItem>(service.GetWorkItems));
        Unary<ActivityResponse, CompleteTaskResponse>(binder, "CompleteActivityTask", service is null ? null : service.CompleteActivityTask);
        Unary<WorkflowResponse, CompleteTaskResponse>(binder, "CompleteOrchestratorTask", service is null ? null : service.CompleteOrchestratorTask);
        Unary<WorkflowResponse, CompleteTaskResponse>(binder, "CompleteWorkflowTask", service is null ? null : service.CompleteWorkflowTask);
        Unary<ListInstanceIDsRequest, ListInstanceIDsResponse>(binder, "ListInstanceIDs", service is null ? null : service.ListInstanceIDs);
        Unary<GetInstanceHistoryRequest, GetInstanceHistoryResponse>(binder, "GetInstanceHistory", service is null ? null : service.GetInstanceHistory);
    }

    private static void Unary<TRequest, TResponse>(ServiceBinderBase binder, string name, UnaryServerMethod<TRequest, TResponse>? handler)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
        GrpcMarshallers.AddUnary(binder, ServiceName, name, handler);
}
