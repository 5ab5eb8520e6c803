using Sidecar.Faults;

namespace Platform.IntegrationTests.Infrastructure;

public sealed record ServiceStartOptions
{
    /// <summary>App configuration (e.g. <c>["Payments:Gateway:DeclineAbove"] = "500"</c>).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Faults the sidecar injects (duplicates, reordering, failed invocations…).</summary>
    public FaultOptions? Faults { get; init; }

    /// <summary>daprd waits 1 s before relaying an outbox message; tests shorten it.</summary>
    public TimeSpan OutboxRelayDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}
