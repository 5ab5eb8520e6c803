using System.Globalization;

namespace Sidecar.Faults;

/// <summary>
/// A reproducible fault-injection plan, off by default. Parsed from "seed=42,duplicate=0.2,delay=0.1:500ms,
/// reorder=0.1,invokeFail=0.3:503,invokeFailApps=payments,outboxCrash=1" (every part optional).
/// </summary>
public sealed record FaultOptions
{
    public int Seed { get; init; }

    /// <summary>Probability that a delivery is made twice.</summary>
    public double DuplicateProbability { get; init; }

    /// <summary>Probability that a delivery is held back by <see cref="Delay"/>.</summary>
    public double DelayProbability { get; init; }

    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Probability that a delivery is held back until the next one of its topic went first.</summary>
    public double ReorderProbability { get; init; }

    /// <summary>Probability that an outgoing service invocation fails with <see cref="InvokeFailStatus"/> without reaching the target.</summary>
    public double InvokeFailProbability { get; init; }

    public int InvokeFailStatus { get; init; } = 503;

    /// <summary>Only invocations of these app ids fail; empty = all.</summary>
    public IReadOnlyList<string> InvokeFailApps { get; init; } = [];

    /// <summary>The outbox relay crashes (the sidecar process exits) after the store commits and before the relay publishes, this many times.</summary>
    public int OutboxCrashCount { get; init; }

    public static FaultOptions Parse(string spec)
    {
        var options = new FaultOptions();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value) = part.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? (part[..eq], part[(eq + 1)..])
                : throw new Hosting.SidecarUsageException($"--sidecar-faults: '{part}' is not key=value");
            var (first, second) = value.IndexOf(':', StringComparison.Ordinal) is var colon and > 0
                ? (value[..colon], value[(colon + 1)..])
                : (value, null);
            options = key switch
            {
                "seed" => options with { Seed = Integer(key, first) },
                "duplicate" => options with { DuplicateProbability = Probability(key, first) },
                "delay" => options with
                {
                    DelayProbability = Probability(key, first),
                    Delay = second is null ? options.Delay : Duration(key, second),
                },
                "reorder" => options with { ReorderProbability = Probability(key, first) },
                "invokeFail" => options with
                {
                    InvokeFailProbability = Probability(key, first),
                    InvokeFailStatus = second is null ? options.InvokeFailStatus : Status(key, second),
                },
                "invokeFailApps" => options with { InvokeFailApps = value.Split('|', StringSplitOptions.RemoveEmptyEntries) },
                "outboxCrash" => options with { OutboxCrashCount = Integer(key, first) },
                _ => throw new Hosting.SidecarUsageException($"--sidecar-faults: unknown fault '{key}'"),
            };
        }

        return options;
    }

    private static int Integer(string key, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new Hosting.SidecarUsageException($"--sidecar-faults: {key}: '{text}' is not an integer");

    private static double Probability(string key, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1
            ? p
            : throw new Hosting.SidecarUsageException($"--sidecar-faults: {key}: '{text}' is not a probability between 0 and 1");

    private static TimeSpan Duration(string key, string text) =>
        Resources.GoDuration.TryParse(text, out var d) && d >= TimeSpan.Zero
            ? d
            : throw new Hosting.SidecarUsageException($"--sidecar-faults: {key}: '{text}' is not a duration");

    // Kestrel refuses a status outside 100-599 only when the fault fires, mid-request; refuse it at start-up.
    private static int Status(string key, string text) =>
        Integer(key, text) is var status and >= 100 and <= 599
            ? status
            : throw new Hosting.SidecarUsageException($"--sidecar-faults: {key}: '{text}' is not an HTTP status (100-599)");
}
