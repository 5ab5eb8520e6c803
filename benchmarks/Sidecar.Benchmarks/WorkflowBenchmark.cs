using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Testing;

namespace Sidecar.Benchmarks;

/// <summary>
/// Sequential workflows of empty activities (3 by default) through the sidecar's workflow engine with the real
/// Dapr.Workflow worker: workflows/s and schedule→completion p50/p99 at several concurrencies, on
/// state.postgresql v2 (durable) and, in the same run, on state.in-memory as the no-persistence baseline. With 5
/// activities it is the order saga's workflow without its business: the engine's and the SDK's share of a saga.
/// </summary>
internal static class WorkflowBenchmark
{
    public static async Task<string> RunAsync(PostgresServer postgres, int[] concurrencies, TimeSpan duration, int activities)
    {
        var report = new StringBuilder();
        report.AppendLine("| actor store | concurrency | workflows/s | p50 (ms) | p99 (ms) | completed |");
        report.AppendLine("|---|---|---|---|---|---|");
        var results = new Dictionary<(string, int), (double Rate, double P50, double P99)>();
        foreach (var concurrency in concurrencies)
        {
            foreach (var store in new[] { "in-memory", "postgres-v2" })
            {
                var yaml = store == "in-memory"
                    ? ComponentYaml.InMemoryState("wf-store", ("actorStateStore", "true"))
                    : ComponentYaml.PostgresV2("wf-store", await postgres.CreateDatabaseAsync("wfbench"), ("actorStateStore", "true"));
                await using var sidecar = await TestSidecar.StartAsync("wfbench", yaml);
                using var worker = await StartWorkerAsync(sidecar.GrpcEndpoint);
                var client = worker.Services.GetRequiredService<DaprWorkflowClient>();
                await RunLoadAsync(client, concurrency, activities, TimeSpan.FromSeconds(3)); // warm-up
                var (rate, latencies) = await RunLoadAsync(client, concurrency, activities, duration);
                var m = new Measurement(store, latencies);
                results[(store, concurrency)] = (rate, m.Median, m.P99);
                report.AppendLine(CultureInfo.InvariantCulture, $"| {store} | {concurrency} | {rate:0.0} | {m.Median:0.0} | {m.P99:0.0} | {latencies.Length} |");
                await worker.StopAsync();
            }
        }

        report.AppendLine();
        report.AppendLine("| concurrency | postgres-v2 / in-memory throughput | postgres-v2 / in-memory p50 |");
        report.AppendLine("|---|---|---|");
        foreach (var concurrency in concurrencies)
        {
            var pg = results[("postgres-v2", concurrency)];
            var mem = results[("in-memory", concurrency)];
            report.AppendLine(CultureInfo.InvariantCulture, $"| {concurrency} | {pg.Rate / mem.Rate:0.00}× | {pg.P50 / mem.P50:0.00}× |");
        }

        return report.ToString();
    }

    private static async Task<(double Rate, double[] Latencies)> RunLoadAsync(DaprWorkflowClient client, int concurrency, int activities, TimeSpan duration)
    {
        var latencies = new List<double>();
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var begin = Stopwatch.GetTimestamp();
                var id = await client.ScheduleNewWorkflowAsync(nameof(SequenceWorkflow), input: activities);
                await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: false);
                var elapsed = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                }
            }
        }));
        await Task.WhenAll(loops);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (latencies.Count / seconds, latencies.ToArray());
    }

    private static async Task<IHost> StartWorkerAsync(string grpcEndpoint)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = grpcEndpoint;
        builder.Services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<SequenceWorkflow>();
            options.RegisterActivity<StepActivity>();
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Calls <see cref="StepActivity"/> as many times as its input says, one after the other.</summary>
    internal sealed class SequenceWorkflow : Workflow<int, string>
    {
        public override async Task<string> RunAsync(WorkflowContext context, int activities)
        {
            var result = "x";
            for (var i = 0; i < activities; i++)
            {
                result = await context.CallActivityAsync<string>(nameof(StepActivity), result);
            }

            return result;
        }
    }

    internal sealed class StepActivity : WorkflowActivity<string, string>
    {
        public override Task<string> RunAsync(WorkflowActivityContext context, string input) => Task.FromResult(input + ".");
    }
}
