using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;

namespace Sidecar.Jobs;

/// <summary>daprd's Jobs API (contract §7.1): schedule, get and delete jobs; the app is triggered with POST /job/{name}.</summary>
public sealed class JobsApi
{
    public Task<ScheduleJobResponse> ScheduleAsync(ScheduleJobRequest request, CancellationToken cancellationToken) => throw NotYet("ScheduleJob");

    public Task<GetJobResponse> GetAsync(GetJobRequest request, CancellationToken cancellationToken) => throw NotYet("GetJob");

    public Task<DeleteJobResponse> DeleteAsync(DeleteJobRequest request, CancellationToken cancellationToken) => throw NotYet("DeleteJob");

    private static RpcException NotYet(string method) => new(new Status(StatusCode.Unimplemented, $"{method} is being built"));
}
