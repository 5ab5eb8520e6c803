using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;

namespace Sidecar.Tests.Workflow;

/// <summary>
/// Durability: the sidecar process killed with SIGKILL and the workflow host stopped, at the windows that
/// matter (mid-activity, mid-timer), on PostgreSQL v2. Every instance must complete; activities run at least
/// once and are never lost.
/// </summary>
public sealed class WorkflowCrashRecoveryTests(BackendsFixture backends)
{
    private const int Instances = 4;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SidecarKilledMidActivity_EveryInstanceCompletesAndNoActivityIsLost()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run.Worker);
        await Eventually.MatchAsync(() => ids.All(id => run.Log.Count($"slow-start:{id}") > 0), all => all, Deadline, "every slow activity started");

        await run.Sidecar.KillAsync();
        await run.Sidecar.RestartAsync();

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.Equal(1, run.Log.Count($"echo:{id}:a")));
        Assert.All(ids, id => Assert.InRange(run.Log.Count($"slow-end:{id}"), 1, 3));
    }

    [Fact]
    public async Task SidecarKilledMidTimer_TimersStillFireAfterRestart()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run.Worker);
        await Eventually.MatchAsync(() => ids.All(id => run.Log.Count($"slow-end:{id}") > 0), all => all, Deadline, "every instance waits on its timer");

        await run.Sidecar.KillAsync();
        await run.Sidecar.RestartAsync();

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.Equal(1, run.Log.Count($"echo:{id}:c")));
    }

    [Fact]
    public async Task WorkflowHostStoppedMidActivity_NewHostFinishesTheWork()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run.Worker);
        await Eventually.MatchAsync(() => ids.All(id => run.Log.Count($"slow-start:{id}") > 0), all => all, Deadline, "every slow activity started");

        await run.ReplaceWorkerAsync();

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.True(run.Log.Count($"slow-start:{id}") >= 1));
    }

    [Fact]
    public async Task BothKilledMidActivity_EveryInstanceCompletes()
    {
        await using var run = await StartAsync();
        var ids = await StartInstancesAsync(run.Worker);
        await Eventually.MatchAsync(() => ids.All(id => run.Log.Count($"slow-start:{id}") > 0), all => all, Deadline, "every slow activity started");

        await run.Sidecar.KillAsync();
        await run.ReplaceWorkerAsync(startBeforeSidecar: run.Sidecar.RestartAsync);

        await AssertAllCompletedAsync(run, ids);
        Assert.All(ids, id => Assert.Equal(1, run.Log.Count($"echo:{id}:c")));
    }

    private static async Task<List<string>> StartInstancesAsync(WorkflowWorker worker)
    {
        var ids = new List<string>();
        for (var i = 0; i < Instances; i++)
        {
            ids.Add(await worker.Client.ScheduleNewWorkflowAsync(nameof(CrashableWorkflow), input: "x"));
        }

        return ids;
    }

    private static async Task AssertAllCompletedAsync(CrashRun run, List<string> ids)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Deadline);
        foreach (var id in ids)
        {
            var state = await run.Worker.Client.WaitForWorkflowCompletionAsync(id, cancellation: timeout.Token);
            Assert.True(state.RuntimeStatus == WorkflowRuntimeStatus.Completed, $"{id} ended {state.RuntimeStatus}; sidecar output:\n{run.Sidecar.Output}");
            Assert.Equal("done", state.ReadOutputAs<string>());
        }
    }

    private async Task<CrashRun> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("platform-wf-crash-").FullName;
        var database = await backends.Postgres.CreateDatabaseAsync("wfcrash");
        await File.WriteAllTextAsync(Path.Combine(directory, "store.yaml"), ComponentYaml.PostgresV2("wf-store", database, ("actorStateStore", "true")));
        var sidecar = await SidecarProcess.StartAsync("crash-" + Guid.NewGuid().ToString("N")[..8], directory, extraArguments: ["--log-level", "warn"]);
        var log = new ExecutionLog();
        var worker = await StartWorkerAsync(sidecar, log);
        return new CrashRun(sidecar, worker, log, directory);
    }

    private static Task<WorkflowWorker> StartWorkerAsync(SidecarProcess sidecar, ExecutionLog log) =>
        WorkflowWorker.StartAsync(sidecar.GrpcEndpoint, WorkflowConformanceTests.RegisterAll, services => services.AddSingleton(log));

    private sealed class CrashRun(SidecarProcess sidecar, WorkflowWorker worker, ExecutionLog log, string directory) : IAsyncDisposable
    {
        public SidecarProcess Sidecar { get; } = sidecar;

        public WorkflowWorker Worker { get; private set; } = worker;

        public ExecutionLog Log { get; } = log;

        /// <summary>Stops the workflow host and starts a new one (optionally after something else, e.g. a sidecar restart).</summary>
        public async Task ReplaceWorkerAsync(Func<Task>? startBeforeSidecar = null)
        {
            await Worker.DisposeAsync();
            if (startBeforeSidecar is not null)
            {
                await startBeforeSidecar();
            }

            Worker = await StartWorkerAsync(Sidecar, Log);
        }

        public async ValueTask DisposeAsync()
        {
            await Worker.DisposeAsync();
            await Sidecar.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
