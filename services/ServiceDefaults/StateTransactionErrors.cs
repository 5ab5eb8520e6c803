using Dapr;
using Grpc.Core;

namespace ServiceDefaults;

/// <summary>How daprd reports a state transaction whose condition failed, for every service that writes with ETags.</summary>
public static class StateTransactionErrors
{
    /// <summary>
    /// daprd answers every failed transaction with Internal; an ETag mismatch reads "possible etag mismatch",
    /// a first-write on an existing key "no item was updated" (sidecar contract §2.4).
    /// </summary>
    public static bool IsFailedCondition(DaprException exception) =>
        exception.InnerException is RpcException { StatusCode: StatusCode.Internal } rpc
        && (rpc.Status.Detail.Contains("etag mismatch", StringComparison.OrdinalIgnoreCase)
            || rpc.Status.Detail.Contains("no item was updated", StringComparison.OrdinalIgnoreCase));
}
