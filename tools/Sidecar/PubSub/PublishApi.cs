using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sidecar.Api;

namespace Sidecar.PubSub;

/// <summary>daprd's publish API (contract §4.1–4.2): validation, the CloudEvent envelope, the broker call.</summary>
public sealed class PublishApi
{
    public Task<Empty> PublishAsync(PublishEventRequest request, TraceContext trace, CancellationToken cancellationToken) => throw NotYet("PublishEvent");

    public Task<BulkPublishResponse> BulkPublishAsync(BulkPublishRequest request, TraceContext trace, CancellationToken cancellationToken) => throw NotYet("BulkPublishEvent");

    private static RpcException NotYet(string method) => new(new Status(StatusCode.Unimplemented, $"{method} is being built"));
}
