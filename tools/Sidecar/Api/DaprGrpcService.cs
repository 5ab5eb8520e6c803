using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sidecar.Jobs;
using Sidecar.PubSub;
using Sidecar.State;

namespace Sidecar.Api;

/// <summary>
/// The <c>dapr.proto.runtime.v1.Dapr</c> gRPC service. Dapr.Protos ships client stubs only, so the server
/// methods are bound by hand (contract §1.3): handlers must be public virtual, and the binder is first
/// called with a null instance. Methods not bound here answer Unimplemented (see <see cref="UnimplementedGrpcMiddleware"/>).
/// </summary>
[BindServiceMethod(typeof(DaprGrpcService), nameof(BindService))]
public class DaprGrpcService(StateApi state, PublishApi publish, JobsApi jobs, MetadataApi metadata)
{
    public const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public virtual Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context) => state.GetAsync(request, context.CancellationToken);

    public virtual Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context) => state.GetBulkAsync(request, context.CancellationToken);

    public virtual Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context) => state.SaveAsync(request, context.CancellationToken);

    public virtual Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context) => state.DeleteAsync(request, context.CancellationToken);

    public virtual Task<Empty> DeleteBulkState(DeleteBulkStateRequest request, ServerCallContext context) => state.DeleteBulkAsync(request, context.CancellationToken);

    public virtual Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context) =>
        state.ExecuteTransactionAsync(request, TraceContext.From(context), context.CancellationToken);

    public virtual Task<QueryStateResponse> QueryStateAlpha1(QueryStateRequest request, ServerCallContext context) => state.QueryAsync(request, context.CancellationToken);

    public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) =>
        publish.PublishAsync(request, TraceContext.From(context), context.CancellationToken);

    public virtual Task<BulkPublishResponse> BulkPublishEvent(BulkPublishRequest request, ServerCallContext context) =>
        publish.BulkPublishAsync(request, TraceContext.From(context), context.CancellationToken);

    // Grpc.AspNetCore finds handlers by method name, so the Alpha1 twin needs its own.
    public virtual Task<BulkPublishResponse> BulkPublishEventAlpha1(BulkPublishRequest request, ServerCallContext context) => BulkPublishEvent(request, context);

    public virtual Task<ScheduleJobResponse> ScheduleJob(ScheduleJobRequest request, ServerCallContext context) => jobs.ScheduleAsync(request, context.CancellationToken);

    public virtual Task<ScheduleJobResponse> ScheduleJobAlpha1(ScheduleJobRequest request, ServerCallContext context) => ScheduleJob(request, context);

    public virtual Task<GetJobResponse> GetJob(GetJobRequest request, ServerCallContext context) => jobs.GetAsync(request, context.CancellationToken);

    public virtual Task<GetJobResponse> GetJobAlpha1(GetJobRequest request, ServerCallContext context) => GetJob(request, context);

    public virtual Task<DeleteJobResponse> DeleteJob(DeleteJobRequest request, ServerCallContext context) => jobs.DeleteAsync(request, context.CancellationToken);

    public virtual Task<DeleteJobResponse> DeleteJobAlpha1(DeleteJobRequest request, ServerCallContext context) => DeleteJob(request, context);

    public virtual Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context) => Task.FromResult(metadata.Get());

    public virtual Task<Empty> SetMetadata(SetMetadataRequest request, ServerCallContext context)
    {
        metadata.Set(request.Key, request.Value);
        return Task.FromResult(new Empty());
    }

    public virtual Task<Empty> Shutdown(ShutdownRequest request, ServerCallContext context)
    {
        metadata.RequestShutdown();
        return Task.FromResult(new Empty());
    }

    public static void BindService(ServiceBinderBase binder, DaprGrpcService? service)
    {
        Unary<GetStateRequest, GetStateResponse>(binder, "GetState", service is null ? null : service.GetState);
        Unary<GetBulkStateRequest, GetBulkStateResponse>(binder, "GetBulkState", service is null ? null : service.GetBulkState);
        Unary<SaveStateRequest, Empty>(binder, "SaveState", service is null ? null : service.SaveState);
        Unary<DeleteStateRequest, Empty>(binder, "DeleteState", service is null ? null : service.DeleteState);
        Unary<DeleteBulkStateRequest, Empty>(binder, "DeleteBulkState", service is null ? null : service.DeleteBulkState);
        Unary<ExecuteStateTransactionRequest, Empty>(binder, "ExecuteStateTransaction", service is null ? null : service.ExecuteStateTransaction);
        Unary<QueryStateRequest, QueryStateResponse>(binder, "QueryStateAlpha1", service is null ? null : service.QueryStateAlpha1);
        Unary<PublishEventRequest, Empty>(binder, "PublishEvent", service is null ? null : service.PublishEvent);
        // The SDK tries the stable name first and falls back to the Alpha1 twin (contract §1.4): serve both.
        Unary<BulkPublishRequest, BulkPublishResponse>(binder, "BulkPublishEvent", service is null ? null : service.BulkPublishEvent);
        Unary<BulkPublishRequest, BulkPublishResponse>(binder, "BulkPublishEventAlpha1", service is null ? null : service.BulkPublishEventAlpha1);
        Unary<ScheduleJobRequest, ScheduleJobResponse>(binder, "ScheduleJob", service is null ? null : service.ScheduleJob);
        Unary<ScheduleJobRequest, ScheduleJobResponse>(binder, "ScheduleJobAlpha1", service is null ? null : service.ScheduleJobAlpha1);
        Unary<GetJobRequest, GetJobResponse>(binder, "GetJob", service is null ? null : service.GetJob);
        Unary<GetJobRequest, GetJobResponse>(binder, "GetJobAlpha1", service is null ? null : service.GetJobAlpha1);
        Unary<DeleteJobRequest, DeleteJobResponse>(binder, "DeleteJob", service is null ? null : service.DeleteJob);
        Unary<DeleteJobRequest, DeleteJobResponse>(binder, "DeleteJobAlpha1", service is null ? null : service.DeleteJobAlpha1);
        Unary<GetMetadataRequest, GetMetadataResponse>(binder, "GetMetadata", service is null ? null : service.GetMetadata);
        Unary<SetMetadataRequest, Empty>(binder, "SetMetadata", service is null ? null : service.SetMetadata);
        Unary<ShutdownRequest, Empty>(binder, "Shutdown", service is null ? null : service.Shutdown);
    }

    private static void Unary<TRequest, TResponse>(ServiceBinderBase binder, string name, UnaryServerMethod<TRequest, TResponse>? handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        GrpcMarshallers.AddUnary(binder, ServiceName, name, handler);
}

internal static class GrpcMarshallers
{
    /// <summary>Binds one unary method of a hand-bound service (a null handler when the binder only collects names).</summary>
    public static void AddUnary<TRequest, TResponse>(ServiceBinderBase binder, string serviceName, string name, UnaryServerMethod<TRequest, TResponse>? handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        binder.AddMethod(new Method<TRequest, TResponse>(MethodType.Unary, serviceName, name, For<TRequest>(), For<TResponse>()), handler);

    public static Marshaller<T> For<T>()
        where T : class, IMessage<T>, new() => Cache<T>.Instance;

    private static class Cache<T>
        where T : class, IMessage<T>, new()
    {
        public static readonly Marshaller<T> Instance = Marshallers.Create(
            message => message.ToByteArray(),
            bytes => new MessageParser<T>(() => new T()).ParseFrom(bytes));
    }
}
