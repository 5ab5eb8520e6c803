using Dapr.DurableTask.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Testing;

namespace Sidecar.Tests.Workflow;

/// <summary>
/// The workflow calls that last (the worker's stream, the client's waits) end when the sidecar stops, as daprd's do,
/// instead of holding the stop until the host's shutdown timeout.
/// </summary>
public sealed class WorkflowShutdownTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stop_WorkerStreamOpenAndAStartWaitingForTheFirstTurn_EndsBothShuttingDown()
    {
        var sidecar = await StartSidecarAsync();
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var client = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
        using var stream = client.GetWorkItems(new GetWorkItemsRequest(), cancellationToken: Ct);
        // A start returns once the first turn is saved; this turn is handed to the stream and never completed.
        using var start = client.StartInstanceAsync(new CreateInstanceRequest { InstanceId = "held", Name = "AnyWorkflow" }, cancellationToken: Ct);
        Assert.True(await stream.ResponseStream.MoveNext(Ct).WaitAsync(Deadline, Ct));

        var stopped = sidecar.DisposeAsync().AsTask();
        var streamEnded = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(Ct).WaitAsync(Deadline, Ct));
        var startEnded = await Assert.ThrowsAsync<RpcException>(() => start.ResponseAsync.WaitAsync(Deadline, Ct));
        await stopped.WaitAsync(Deadline, Ct);

        Assert.Equal((StatusCode.Cancelled, "shutting down"), (streamEnded.StatusCode, streamEnded.Status.Detail));
        Assert.Equal((StatusCode.Unavailable, "shutting down"), (startEnded.StatusCode, startEnded.Status.Detail));
    }

    [Fact]
    public async Task Stop_ClientWaitingForCompletion_EndsTheWaitUnavailable()
    {
        var sidecar = await StartSidecarAsync();
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var client = new TaskHubSidecarService.TaskHubSidecarServiceClient(channel);
        // Scheduled for later, so the start returns at once and the instance stays pending.
        var later = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1));
        await client.StartInstanceAsync(new CreateInstanceRequest { InstanceId = "pending", Name = "AnyWorkflow", ScheduledStartTimestamp = later }, cancellationToken: Ct);
        using var wait = client.WaitForInstanceCompletionAsync(new GetInstanceRequest { InstanceId = "pending" }, cancellationToken: Ct);
        // A later call on the same HTTP/2 connection answered means the server has taken the wait's stream.
        await client.GetInstanceAsync(new GetInstanceRequest { InstanceId = "pending" }, cancellationToken: Ct);

        var stopped = sidecar.DisposeAsync().AsTask();
        var ended = await Assert.ThrowsAsync<RpcException>(() => wait.ResponseAsync.WaitAsync(Deadline, Ct));
        await stopped.WaitAsync(Deadline, Ct);

        Assert.Equal((StatusCode.Unavailable, "shutting down"), (ended.StatusCode, ended.Status.Detail));
    }

    private static Task<TestSidecar> StartSidecarAsync() =>
        TestSidecar.StartAsync("wf-" + Guid.NewGuid().ToString("N")[..8], ComponentYaml.InMemoryState("wf-store", ("actorStateStore", "true")));
}
