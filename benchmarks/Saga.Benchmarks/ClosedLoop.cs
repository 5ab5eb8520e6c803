using System.Diagnostics;

namespace Saga.Benchmarks;

/// <summary>The figures of one load point: sagas per second and latency from accepted to terminal.</summary>
internal sealed record LoadResult(string Variant, int Concurrency, int Completed, int Compensated, double PerSecond, double P50Ms, double P99Ms, string CostPerSaga)
{
    public string Row => $"| {Variant} | {Concurrency} | {PerSecond:0.0} | {P50Ms:0.0} ms | {P99Ms:0.0} ms | {Completed} ({Compensated} compensated) |";

    public const string Header = "| variant | concurrency | sagas/s | p50 | p99 | sagas (compensated) |\n|---|---|---|---|---|---|";
}

/// <summary>N workers, each running one saga after another for a fixed time (closed loop), after a warm-up.</summary>
internal static class ClosedLoop
{
    /// <param name="saga">Runs saga number i to its terminal state; returns true when it took a compensation path.</param>
    /// <param name="meter">What to count per saga besides the CPU of this process tree (a PostgreSQL server, Redis).</param>
    public static async Task<LoadResult> RunAsync(string variant, int concurrency, TimeSpan duration, TimeSpan warmup, Func<int, Task<bool>> saga, Meter? meter = null)
    {
        meter ??= new Meter();
        var counter = 0;
        var warmupEnd = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = warmupEnd + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var latencies = new List<double>();
        var compensated = 0;
        var gate = new Lock();
        var finishedInWindow = 0;
        var cpuAtStart = Task.Run(async () =>
        {
            await Task.Delay(warmup);
            return await meter.ReadAsync();
        });
        var cpuAtEnd = Task.Run(async () =>
        {
            await Task.Delay(warmup + duration);
            return await meter.ReadAsync();
        });

        async Task WorkerAsync()
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var started = Stopwatch.GetTimestamp();
                var compensation = await saga(Interlocked.Increment(ref counter));
                var finished = Stopwatch.GetTimestamp();
                if (finished >= warmupEnd && finished <= end)
                {
                    Interlocked.Increment(ref finishedInWindow);
                }

                if (started >= warmupEnd && Stopwatch.GetTimestamp() <= end)
                {
                    lock (gate)
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        compensated += compensation ? 1 : 0;
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync)));
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        // Costs in the window over the sagas that finished in it (those started in the warm-up too).
        var cpu = meter.PerSaga(await cpuAtStart, await cpuAtEnd, finishedInWindow);
        return new LoadResult(variant, concurrency, sorted.Length, compensated, sorted.Length / duration.TotalSeconds, Percentile(0.50), Percentile(0.99), cpu);
    }
}
