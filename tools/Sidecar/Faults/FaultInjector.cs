using Sidecar.Hosting;

namespace Sidecar.Faults;

/// <summary>
/// Draws the faults of <see cref="FaultOptions"/> from one seeded random sequence, so a run with the same
/// seed and the same order of events injects the same faults.
/// </summary>
public sealed class FaultInjector(SidecarOptions options)
{
    private readonly FaultOptions? _plan = options.Faults;
    private readonly Random _random = new(options.Faults?.Seed ?? 0);
    private readonly Lock _lock = new();
    private int _outboxCrashesLeft = options.Faults?.OutboxCrashCount ?? 0;

    public bool Enabled => _plan is not null;

    /// <returns>The status to answer with, or null to invoke for real.</returns>
    public int? ShouldFailInvocation(string appId)
    {
        if (_plan is null || _plan.InvokeFailProbability <= 0)
        {
            return null;
        }

        if (_plan.InvokeFailApps.Count > 0 && !_plan.InvokeFailApps.Contains(appId, StringComparer.Ordinal))
        {
            return null;
        }

        return Draw(_plan.InvokeFailProbability) ? _plan.InvokeFailStatus : null;
    }

    /// <returns>How long this attempt of an invocation of <paramref name="appId"/> waits before it is forwarded, or null.</returns>
    public TimeSpan? InvocationDelay(string appId)
    {
        if (_plan is null || _plan.InvokeDelayProbability <= 0)
        {
            return null;
        }

        // Filtered before drawing, so calls to other apps do not shift the seeded sequence of this one.
        if (_plan.InvokeDelayApps.Count > 0 && !_plan.InvokeDelayApps.Contains(appId, StringComparer.Ordinal))
        {
            return null;
        }

        return Draw(_plan.InvokeDelayProbability) ? _plan.InvokeDelay : null;
    }

    public bool ShouldDuplicate() => _plan is not null && Draw(_plan.DuplicateProbability);

    public TimeSpan? DeliveryDelay() => _plan is not null && Draw(_plan.DelayProbability) ? _plan.Delay : null;

    public bool ShouldReorder() => _plan is not null && Draw(_plan.ReorderProbability);

    /// <summary>True once per configured outbox crash: the relay then kills the process between commit and publish.</summary>
    public bool ShouldCrashOutboxRelay()
    {
        lock (_lock)
        {
            if (_outboxCrashesLeft <= 0)
            {
                return false;
            }

            _outboxCrashesLeft--;
            return true;
        }
    }

    private bool Draw(double probability)
    {
        if (probability <= 0)
        {
            return false;
        }

        lock (_lock)
        {
            return _random.NextDouble() < probability;
        }
    }
}
