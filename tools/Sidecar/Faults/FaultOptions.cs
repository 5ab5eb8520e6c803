using System.Globalization;

namespace Sidecar.Faults;

/// <summary>
/// A reproducible fault-injection plan, off by default. Parsed from "seed=42,duplicate=0.2,delay=0.1:500ms,
/// reorder=0.1,invokeFail=0.3:503,invokeFailApps=payments,invokeDelay=0.5:200ms,invokeDelayApps=payments,outboxCrash=1"
/// (every part optional; "invokeDelay=200ms" delays every invocation).
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

    /// <summary>
    /// Probability that an attempt of an outgoing service invocation waits <see cref="InvokeDelay"/> before it is
    /// forwarded, as if the target were slow: the wait counts inside the attempt's Resiliency timeout.
    /// </summary>
    public double InvokeDelayProbability { get; init; }

    public TimeSpan InvokeDelay { get; init; }

    /// <summary>Only invocations of these app ids are delayed; empty = all.</summary>
    public IReadOnlyList<string> InvokeDelayApps { get; init; } = [];

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
                // "200ms" alone delays every attempt; "0.5:200ms" half of them.
                "invokeDelay" => second is null
                    ? options with { InvokeDelayProbability = 1, InvokeDelay = InvokeDelayDuration(key, first) }
                    : options with { InvokeDelayProbability = Probability(key, first), InvokeDelay = InvokeDelayDuration(key, second) },
                "invokeDelayApps" => options with { InvokeDelayApps = AppIds(key, value) },
                "outboxCrash" => options with { OutboxCrashCount = Integer(key, first) },
                _ => throw new Hosting.SidecarUsageException($"--sidecar-faults: unknown fault '{key}'"),
            };
        }

        // Without a delay the app list would be silently ignored: most likely a typo in the spec.
        if (options.InvokeDelayApps.Count > 0 && options.InvokeDelayProbability <= 0)
        {
            throw new Hosting.SidecarUsageException("--sidecar-faults: invokeDelayApps needs invokeDelay (e.g. invokeDelay=200ms,invokeDelayApps=payments)");
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

    private static TimeSpan InvokeDelayDuration(string key, string text) =>
        Resources.GoDuration.TryParse(text, out var d) && d > TimeSpan.Zero
            ? d
            : throw new Hosting.SidecarUsageException($"--sidecar-faults: {key}: '{text}' is not a positive duration (e.g. {key}=200ms, or {key}=0.5:200ms for half the calls)");

    private static string[] AppIds(string key, string text) =>
        text.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } ids
            ? ids
            : throw new Hosting.SidecarUsageException($"--sidecar-faults: {key}: needs at least one app id (e.g. {key}=payments|inventory)");

    // Kestrel refuses a status outside 100-599 only when the fault fires, mid-request; refuse it at start-up.
    private static int Status(string key, string text) =>
        Integer(key, text) is var status and >= 100 and <= 599
            ? status
            : throw new Hosting.SidecarUsageException($"--sidecar-faults: {key}: '{text}' is not an HTTP status (100-599)");
}
