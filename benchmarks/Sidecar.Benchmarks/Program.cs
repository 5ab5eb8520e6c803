using System.Globalization;
using Platform.Testing;
using Sidecar.Benchmarks;

// Benchmarks of the sidecar, each reported against a baseline measured in the same run (docs/benchmarks.md).
// Usage: dotnet run -c Release --project benchmarks/Sidecar.Benchmarks -- [--suite overhead|workflow|all]
//        [--iterations 2000] [--repetitions 3] [--pubsub-iterations 500] [--workflow-seconds 20] [--workflow-activities 3] [--concurrency 1,8,32]
var suite = ArgText(args, "--suite", "all");
var iterations = ArgValue(args, "--iterations", 2000);
var repetitions = ArgValue(args, "--repetitions", 3);
var pubSubIterations = ArgValue(args, "--pubsub-iterations", Math.Max(200, iterations / 4));
var workflowSeconds = ArgValue(args, "--workflow-seconds", 20);
var workflowActivities = ArgValue(args, "--workflow-activities", 3);
var concurrencies = ArgText(args, "--concurrency", "1,8,32").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; PostgreSQL with fsync=on, synchronous_commit=on");
await using var postgres = await PostgresServer.StartAsync(durable: true);
await using var redis = await RedisServer.StartAsync();

if (suite is "overhead" or "all")
{
    Console.WriteLine($"sidecar overhead: state {iterations} iterations, pub/sub {pubSubIterations}, {repetitions} repetitions (A/B interleaved)");
    Console.WriteLine(await SidecarOverheadBenchmark.RunAsync(postgres, redis, iterations, repetitions, pubSubIterations));
}

if (suite is "workflow" or "all")
{
    Console.WriteLine($"workflows: sequential {workflowActivities} activities, {workflowSeconds} s per point after a 3 s warm-up");
    Console.WriteLine(await WorkflowBenchmark.RunAsync(postgres, concurrencies, TimeSpan.FromSeconds(workflowSeconds), workflowActivities));
}

return 0;

static int ArgValue(string[] args, string name, int fallback) =>
    int.Parse(ArgText(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

static string ArgText(string[] args, string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
