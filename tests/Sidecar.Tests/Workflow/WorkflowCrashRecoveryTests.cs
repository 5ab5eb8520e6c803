using Dapr.Workflow;
using Platform.Testing;

namespace Sidecar.Tests.Workflow;

/// <summary>
/// Durability: the sidecar process and the workflow host process killed with SIGKILL at the windows that
/// matter (mid-activity, mid-timer), on PostgreSQL v2. Every instance must complete; activities run at least
/// once and are never lost; work done before the crash is not repeated.
/// </summary>
public sealed class WorkflowCrashRecoveryTests(BackendsFixture backends)
{
    private const int Instances = 4;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SidecarKilledMidActivity_EveryInstanceCompletesAndNoActivityIsLost()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run);
        await WaitForAllAsync(run, "slow-start", "every slow activity started");

        await run.Sidecar.KillAsync();
        await run.Sidecar.RestartAsync();

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.Equal(1, run.Host.Count($"echo:{id}:a")));
        Assert.All(ids, id => Assert.InRange(run.Host.Count($"slow-end:{id}"), 1, 3));
    }

    [Fact]
    public async Task SidecarKilledMidTimer_TimersStillFireAfterRestart()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run);
        await WaitForAllAsync(run, "slow-end", "every instance waits on its timer");

        await run.Sidecar.KillAsync();
        await run.Sidecar.RestartAsync();

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.Equal(1, run.Host.Count($"echo:{id}:c")));
        Assert.All(ids, id => Assert.Equal(1, run.Host.Count($"slow-end:{id}")));
    }

    [Fact]
    public async Task HostKilledMidActivity_RestartedHostRunsTheActivityAgain()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run);
        await WaitForAllAsync(run, "slow-start", "every slow activity started");

        await run.Host.KillAsync();
        run.Host.Start();

        await AssertAllCompletedAsync(run, ids);
        // The killed executions never finished: each slow activity started again and finished once.
        Assert.All(ids, id => Assert.True(run.Host.Count($"slow-start:{id}") >= 2, $"{id}: slow activity not re-run"));
        Assert.All(ids, id => Assert.Equal(1, run.Host.Count($"echo:{id}:a")));
    }

    [Fact]
    public async Task HostKilledMidTimer_TimerFiresForTheNewHost()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run);
        await WaitForAllAsync(run, "slow-end", "every instance waits on its timer");

        await run.Host.KillAsync();
        run.Host.Start();

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.Equal(1, run.Host.Count($"slow-end:{id}")));
    }

    [Fact]
    public async Task BothKilledMidActivity_EveryInstanceCompletes()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run);
        await WaitForAllAsync(run, "slow-start", "every slow activity started");

        await run.Host.KillAsync();
        await run.Sidecar.KillAsync();
        await run.Sidecar.RestartAsync();
        run.Host.Start();

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.Equal(1, run.Host.Count($"echo:{id}:c")));
    }

    private static async Task<List<string>> StartInstancesAsync(CrashRun run)
    {
        var ids = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Deadline);
        for (var i = 0; i < Instances; i++)
        {
            // StartInstance returns once a worker ran the first turn: a host that never connects fails here, not forever.
            ids.Add(await run.Client.Client.ScheduleNewWorkflowAsync(nameof(global::Workflow.TestHost.CrashableWorkflow), instanceId: null, input: "x", startTime: null, cancellation: timeout.Token));
        }

        run.Ids = ids;
        return ids;
    }

    private static async Task WaitForAllAsync(CrashRun run, string marker, string description) =>
        await Eventually.MatchAsync(() => run.Ids.All(id => run.Host.Count($"{marker}:{id}") > 0), all => all, Deadline, description);

    private static async Task AssertAllCompletedAsync(CrashRun run, List<string> ids)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Deadline);
        foreach (var id in ids)
        {
            var state = await run.Client.Client.WaitForWorkflowCompletionAsync(id, cancellation: timeout.Token);
            Assert.True(state.RuntimeStatus == WorkflowRuntimeStatus.Completed, $"{id} ended {state.RuntimeStatus}; sidecar output:\n{run.Sidecar.Output}\nhost output:\n{run.Host.Output}");
            Assert.Equal("done", state.ReadOutputAs<string>());
        }
    }

    private async Task<CrashRun> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("platform-wf-crash-").FullName;
        var database = await backends.Postgres.CreateDatabaseAsync("wfcrash");
        await File.WriteAllTextAsync(Path.Combine(directory, "store.yaml"), ComponentYaml.PostgresV2("wf-store", database, ("actorStateStore", "true")));
        var sidecar = await SidecarProcess.StartAsync("crash-" + Guid.NewGuid().ToString("N")[..8], directory, extraArguments: ["--log-level", "warn"]);
        var host = new WorkflowHostProcess(sidecar.GrpcEndpoint, Path.Combine(directory, "executions.log"));
        host.Start();
        return new CrashRun(sidecar, host, new WorkflowClientOnly(sidecar.GrpcEndpoint), directory);
    }

    private sealed class CrashRun(SidecarProcess sidecar, WorkflowHostProcess host, WorkflowClientOnly client, string directory) : IAsyncDisposable
    {
        public SidecarProcess Sidecar { get; } = sidecar;

        public WorkflowHostProcess Host { get; } = host;

        public WorkflowClientOnly Client { get; } = client;

        public List<string> Ids { get; set; } = [];

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Host.DisposeAsync();
            await Sidecar.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
