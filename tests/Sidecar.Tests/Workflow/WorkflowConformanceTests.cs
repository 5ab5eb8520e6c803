using Dapr.Workflow;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;

namespace Sidecar.Tests.Workflow;

/// <summary>Contract §6 with the real Dapr.Workflow 1.18.7 worker and client, on each actor state store.</summary>
public sealed class WorkflowConformanceTests(BackendsFixture backends)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Stores => ["in-memory", "postgres-v2"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task SequentialActivities_CompleteWithOutputAndCustomStatus(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(SequentialWorkflow), input: "x");
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal("<x1><x2><x3>", state.ReadOutputAs<string>());
        Assert.Equal("after-first", state.ReadCustomStatusAs<string>());
        Assert.Equal(1, run.Log.Count($"echo:{id}:x2"));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ActivityFailure_WithSdkRetryPolicy_SucceedsOnThirdAttemptWithoutSidecarRetries(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(RetryWorkflow), input: "r");
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal("ok after 3", state.ReadOutputAs<string>());
        Assert.Equal(3, run.Log.Count($"flaky:{id}"));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task DurableTimer_FiresAfterItsDueTime(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(TimerWorkflow), input: 700);
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal("fired", state.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ExternalEvent_RaisedWithDifferentCase_IsDelivered(string store)
    {
        await using var run = await StartAsync(store);
        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), input: 30);

        await run.Worker.Client.RaiseEventAsync(id, "Approve", "yes", Ct);
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal("decision:yes", state.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ExternalEvent_NotRaisedBeforeTimeout_TimesOut(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), input: 1);
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal("timed out", state.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ChildWorkflow_ResultReachesTheParent(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(ParentWorkflow), input: "c");
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal("parent(<c1><c2><c3>)", state.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ContinueAsNew_RestartsWithNewInputUntilDone(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(CountingWorkflow), input: 1);
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal(3, state.ReadOutputAs<int>());
        Assert.Equal(1, run.Log.Count($"echo:{id}:gen1"));
        Assert.Equal(1, run.Log.Count($"echo:{id}:gen3"));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task FanOutFanIn_RunsEveryActivityOnce(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(FanOutWorkflow), input: 10);
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal(10, state.ReadOutputAs<int>());
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(1, run.Log.Count($"echo:{id}:fan{i}")));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Terminate_WaitingForever_EndsTerminated(string store)
    {
        await using var run = await StartAsync(store);
        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), input: 0);

        await run.Worker.Client.TerminateWorkflowAsync(id, "stop", Ct);
        var state = await run.Worker.Client.GetWorkflowStateAsync(id, cancellation: Ct);

        Assert.Equal(WorkflowRuntimeStatus.Terminated, state!.RuntimeStatus);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task SuspendResume_ChangeStatusAndTheWorkflowStillCompletes(string store)
    {
        await using var run = await StartAsync(store);
        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), input: 0);

        await run.Worker.Client.SuspendWorkflowAsync(id, "pause", Ct);
        var suspended = await run.Worker.Client.GetWorkflowStateAsync(id, cancellation: Ct);
        await run.Worker.Client.ResumeWorkflowAsync(id, "go on", Ct);
        var resumed = await run.Worker.Client.GetWorkflowStateAsync(id, cancellation: Ct);
        await run.Worker.Client.RaiseEventAsync(id, "approve", "later", Ct);
        var done = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal(WorkflowRuntimeStatus.Suspended, suspended!.RuntimeStatus);
        Assert.Equal(WorkflowRuntimeStatus.Running, resumed!.RuntimeStatus);
        Assert.Equal("decision:later", done.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Purge_CompletedInstance_IsGoneAndItsIdReusable(string store)
    {
        await using var run = await StartAsync(store);
        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(SequentialWorkflow), input: "p");
        await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        var purged = await run.Worker.Client.PurgeInstanceAsync(id, Ct);
        var after = await run.Worker.Client.GetWorkflowStateAsync(id, cancellation: Ct);
        var again = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(SequentialWorkflow), id, "q");
        var second = await run.Worker.Client.WaitForWorkflowCompletionAsync(again, cancellation: Ct);

        Assert.True(purged);
        Assert.False(after?.Exists ?? false);
        Assert.Equal("<q1><q2><q3>", second.ReadOutputAs<string>());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task FailingWorkflow_EndsFailedWithDetails(string store)
    {
        await using var run = await StartAsync(store);

        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(FailingWorkflow), input: "boom");
        var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: Ct);

        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Contains("workflow failed on purpose: boom", state.FailureDetails?.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownInstance_GetSaysNotExistsAndRaisePurgeThrow()
    {
        await using var run = await StartAsync("in-memory");

        var state = await run.Worker.Client.GetWorkflowStateAsync("does-not-exist", cancellation: Ct);
        var raise = await Assert.ThrowsAnyAsync<Exception>(() => run.Worker.Client.RaiseEventAsync("does-not-exist", "approve", "x", Ct));
        var purge = await Assert.ThrowsAnyAsync<Exception>(() => run.Worker.Client.PurgeInstanceAsync("does-not-exist", Ct));

        Assert.False(state?.Exists ?? false);
        Assert.Contains("no such instance exists", raise.ToString(), StringComparison.Ordinal);
        Assert.Contains("no such instance exists", purge.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartInstance_LiveId_IsRefusedAsAlreadyExists()
    {
        await using var run = await StartAsync("in-memory");
        var id = await run.Worker.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), "live-" + Guid.NewGuid().ToString("N"), 0);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.Worker.Client.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), id, 0));

        Assert.Equal(StatusCode.AlreadyExists, FindRpc(error)?.StatusCode);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RpcException? FindRpc(Exception? error) =>
        error switch
        {
            null => null,
            RpcException rpc => rpc,
            _ => FindRpc(error.InnerException),
        };

    private async Task<WorkflowRun> StartAsync(string store)
    {
        var appId = "wf-" + Guid.NewGuid().ToString("N")[..8];
        var yaml = store switch
        {
            "in-memory" => ComponentYaml.InMemoryState("wf-store", ("actorStateStore", "true")),
            "postgres-v2" => ComponentYaml.PostgresV2("wf-store", await backends.Postgres.CreateDatabaseAsync("wf"), ("actorStateStore", "true")),
            _ => throw new ArgumentOutOfRangeException(nameof(store), store, "unknown store"),
        };
        var sidecar = await TestSidecar.StartAsync(appId, yaml);
        var log = new ExecutionLog();
        var worker = await WorkflowWorker.StartAsync(sidecar.GrpcEndpoint, RegisterAll, services => services.AddSingleton(log));
        return new WorkflowRun(sidecar, worker, log);
    }

    internal static void RegisterAll(WorkflowRuntimeOptions options)
    {
        options.RegisterWorkflow<SequentialWorkflow>();
        options.RegisterWorkflow<RetryWorkflow>();
        options.RegisterWorkflow<TimerWorkflow>();
        options.RegisterWorkflow<ApprovalWorkflow>();
        options.RegisterWorkflow<ParentWorkflow>();
        options.RegisterWorkflow<CountingWorkflow>();
        options.RegisterWorkflow<FanOutWorkflow>();
        options.RegisterWorkflow<FailingWorkflow>();
        options.RegisterActivity<EchoActivity>();
        options.RegisterActivity<FlakyActivity>();
        options.RegisterActivity<SlowActivity>();
        options.RegisterWorkflow<CrashableWorkflow>();
    }

    private sealed record WorkflowRun(TestSidecar Sidecar, WorkflowWorker Worker, ExecutionLog Log) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Worker.DisposeAsync();
            await Sidecar.DisposeAsync();
        }
    }
}
