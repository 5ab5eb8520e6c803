using System.Globalization;
using Platform.Testing;
using Saga.Benchmarks;

// W1 of ../shared/BENCHMARKS-AND-FAULTS.md: sagas/s and latency from order accepted to terminal state, against a
// monolith doing the same reads and writes in one PostgreSQL transaction, measured in the same run (docs/benchmarks.md).
// Usage: dotnet run -c Release --project benchmarks/Saga.Benchmarks -- [--suite monolith|orchestration|choreography|all|reads|idle] [--seconds 15]
//        [--warmup 3] [--concurrency 1,8,32] [--decline-every 10] [--skus 50] [--poll-ms 5]
//        [--observe store|api]
var suite = ArgText(args, "--suite", "all");
var seconds = ArgValue(args, "--seconds", 15);
var warmup = ArgValue(args, "--warmup", 3);
var declineEvery = ArgValue(args, "--decline-every", 10);
var skus = ArgValue(args, "--skus", 50);
PlatformSaga.PollInterval = ArgValue(args, "--poll-ms", 5);
PlatformSaga.ObserveThroughApi = ArgText(args, "--observe", "store") == "api";
var concurrencies = ArgText(args, "--concurrency", "1,8,32").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();

if (suite == "idle")
{
    // The platform's background CPU with no load (docs/benchmarks.md, "Profile and first changes").
    await using var idle = await PlatformSaga.StartAsync(5);
    await Task.Delay(10_000);
    var idleStart = ProcessCpu.Snapshot();
    await Task.Delay(10_000);
    Console.WriteLine("idle: " + ProcessCpu.PerSaga(idleStart, ProcessCpu.Snapshot(), 10, "second"));
    return 0;
}

if (suite == "reads")
{
    // Issue #6: CQRS read vs composed read of one order, interleaved in one platform run, then again in a second run
    // whose gateway sidecar slows payments by 200 ms (docs/benchmarks.md, "Reads").
    Console.WriteLine("| path | concurrency | reads/s | p50 | p99 | |\n|---|---|---|---|---|---|");
    foreach (var row in await ReadPaths.RunAsync(orderCount: 200, concurrencies.Where(c => c > 1).ToArray(), TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup)))
    {
        Console.WriteLine(row);
    }

    return 0;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; PostgreSQL fsync=on, synchronous_commit=on; every {declineEvery}th order is declined (compensation path); orders spread over {skus} SKUs");
Console.WriteLine(LoadResult.Header);
var results = new List<LoadResult>();
if (suite is "monolith" or "all")
{
    await using var postgres = await PostgresServer.StartAsync(durable: true);
    var database = await postgres.CreateDatabaseAsync("monolith");
    var monolith = await MonolithSaga.CreateAsync(postgres.NpgsqlConnectionString(database.Split("database=")[1]), skus);
    foreach (var concurrency in concurrencies)
    {
        var result = await ClosedLoop.RunAsync("monolith (one Npgsql transaction)", concurrency, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup),
            i => monolith.RunAsync($"BENCH-{1 + (i % skus)}", $"customer-{i % 97}", $"key-{concurrency}-{i}", declined: i % declineEvery == 0),
            new Meter(postgres));
        Console.WriteLine(result.Row);
        Console.WriteLine("  " + result.CostPerSaga);
        results.Add(result);
    }
}

string[] modes = ["Orchestration", "Choreography"];
foreach (var mode in modes.Where(m => suite == "all" || string.Equals(suite, m, StringComparison.OrdinalIgnoreCase)))
{
    await using var platform = await PlatformSaga.StartAsync(skus);
    foreach (var concurrency in concurrencies)
    {
        var result = await ClosedLoop.RunAsync($"{mode.ToLowerInvariant()} (7 processes, sidecars, outbox)", concurrency, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup),
            i => platform.RunAsync(
                $"BENCH-{1 + (i % skus)}",
                i % declineEvery == 0 ? PlatformSaga.DeclinedCustomer : $"customer-{i % 97}",
                $"key-{mode}-{concurrency}-{i}",
                mode),
            platform.Meter);
        Console.WriteLine(result.Row);
        Console.WriteLine("  " + result.CostPerSaga);
        results.Add(result);
    }
}

var baseline = results.Where(r => r.Variant.StartsWith("monolith", StringComparison.Ordinal)).ToDictionary(r => r.Concurrency);
if (baseline.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("| variant | concurrency | throughput / monolith | p50 / monolith |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var result in results.Where(r => !r.Variant.StartsWith("monolith", StringComparison.Ordinal) && baseline.ContainsKey(r.Concurrency)))
    {
        var m = baseline[result.Concurrency];
        Console.WriteLine($"| {result.Variant} | {result.Concurrency} | {result.PerSecond / m.PerSecond:0.000}× | {result.P50Ms / m.P50Ms:0.0}× |");
    }
}

return 0;

static int ArgValue(string[] args, string name, int fallback) =>
    int.Parse(ArgText(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

static string ArgText(string[] args, string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
