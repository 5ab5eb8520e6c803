using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;

namespace Sidecar.Jobs;

/// <summary>daprd's Jobs API (contract §7.1): schedule, get and delete jobs; the app is triggered with POST /job/{name}.</summary>
public sealed class JobsApi(JobScheduler scheduler)
{
    public Task<ScheduleJobResponse> ScheduleAsync(ScheduleJobRequest request, CancellationToken cancellationToken)
    {
        if (request.Job is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "job is empty"));
        }

        try
        {
            scheduler.Schedule(request.Job, request.Overwrite);
        }
        catch (InvalidJobException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (JobExistsException ex)
        {
            // daprd wraps every Scheduler error as Internal "failed to schedule job due to: …" (contract marks the code unverified).
            throw new RpcException(new Status(StatusCode.Internal, $"failed to schedule job due to: {ex.Message}"));
        }

        return Task.FromResult(new ScheduleJobResponse());
    }

    public Task<GetJobResponse> GetAsync(GetJobRequest request, CancellationToken cancellationToken)
    {
        RequireName(request.Name);
        // daprd: SchedulerGetJob wraps the Scheduler's "not found" as Internal "failed to get job due to: …".
        var job = scheduler.Get(request.Name)
            ?? throw new RpcException(new Status(StatusCode.Internal, $"failed to get job due to: job not found: {request.Name}"));
        return Task.FromResult(new GetJobResponse { Job = job });
    }

    public Task<DeleteJobResponse> DeleteAsync(DeleteJobRequest request, CancellationToken cancellationToken)
    {
        RequireName(request.Name);
        // Deleting an unknown job is not an error (etcd delete is idempotent).
        scheduler.Delete(request.Name);
        return Task.FromResult(new DeleteJobResponse());
    }

    private static void RequireName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "job name is empty"));
        }
    }
}
