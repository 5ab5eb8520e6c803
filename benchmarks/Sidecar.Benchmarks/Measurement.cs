using System.Diagnostics;

namespace Sidecar.Benchmarks;

/// <summary>Latencies of one run of one variant, in milliseconds.</summary>
internal sealed record Measurement(string Variant, double[] LatenciesMs)
{
    public double Median => Percentile(0.50);

    public double P99 => Percentile(0.99);

    public double Mean => LatenciesMs.Average();

    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }

    /// <summary>Runs <paramref name="operation"/> <paramref name="iterations"/> times after a warm-up, timing each call.</summary>
    public static async Task<Measurement> RunAsync(string variant, int warmup, int iterations, Func<int, Task> operation)
    {
        for (var i = 0; i < warmup; i++)
        {
            await operation(-1 - i);
        }

        var latencies = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(i);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return new Measurement(variant, latencies);
    }
}

/// <summary>Baseline and variant measured in alternation (A, B, A, B …) so drift hits both; the ratio is of medians.</summary>
internal sealed record Comparison(string Name, IReadOnlyList<Measurement> Baseline, IReadOnlyList<Measurement> Variant)
{
    public double BaselineMedian => Median(Baseline.Select(m => m.Median));

    public double VariantMedian => Median(Variant.Select(m => m.Median));

    public double BaselineP99 => Median(Baseline.Select(m => m.P99));

    public double VariantP99 => Median(Variant.Select(m => m.P99));

    public double Ratio => VariantMedian / BaselineMedian;

    /// <summary>The spread of the per-repetition ratios (min–max).</summary>
    public (double Min, double Max) RatioSpread
    {
        get
        {
            var ratios = Baseline.Zip(Variant, (a, b) => b.Median / a.Median).ToList();
            return (ratios.Min(), ratios.Max());
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
