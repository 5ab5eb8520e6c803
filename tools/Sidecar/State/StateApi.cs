using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sidecar.Api;

namespace Sidecar.State;

/// <summary>daprd's state API (contract §2): validation, key prefixing, and the exact status codes.</summary>
public sealed class StateApi
{
    public Task<GetStateResponse> GetAsync(GetStateRequest request, CancellationToken cancellationToken) => throw NotYet("GetState");

    public Task<GetBulkStateResponse> GetBulkAsync(GetBulkStateRequest request, CancellationToken cancellationToken) => throw NotYet("GetBulkState");

    public Task<Empty> SaveAsync(SaveStateRequest request, CancellationToken cancellationToken) => throw NotYet("SaveState");

    public Task<Empty> DeleteAsync(DeleteStateRequest request, CancellationToken cancellationToken) => throw NotYet("DeleteState");

    public Task<Empty> DeleteBulkAsync(DeleteBulkStateRequest request, CancellationToken cancellationToken) => throw NotYet("DeleteBulkState");

    public Task<Empty> ExecuteTransactionAsync(ExecuteStateTransactionRequest request, TraceContext trace, CancellationToken cancellationToken) => throw NotYet("ExecuteStateTransaction");

    public Task<QueryStateResponse> QueryAsync(QueryStateRequest request, CancellationToken cancellationToken) => throw NotYet("QueryStateAlpha1");

    private static RpcException NotYet(string method) => new(new Status(StatusCode.Unimplemented, $"{method} is being built"));
}
