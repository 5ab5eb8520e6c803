using System.Collections.Concurrent;
using Sidecar.Hosting;
using Sidecar.Resources;

namespace Sidecar.Resiliency;

/// <summary>
/// Looks up the Resiliency policies that apply to a target, with daprd's named default policies as fallback
/// (contract §4.7, §5.2). Only resources whose scopes include this app count.
/// </summary>
public sealed class ResiliencyPolicies(ResourceSet resources, SidecarOptions options, TimeProvider? time = null)
{
    private readonly IReadOnlyList<ResiliencyResource> _mine =
        resources.Resiliencies.Where(r => r.Scopes.Count == 0 || r.Scopes.Contains(options.AppId, StringComparer.Ordinal)).ToList();

    // One breaker per target app for the sidecar's lifetime: its state must outlive a single request.
    private readonly ConcurrentDictionary<string, CircuitBreaker?> _appBreakers = new(StringComparer.Ordinal);

    /// <summary>The circuit breaker of <c>targets.apps.&lt;appId&gt;.circuitBreaker</c>, or null without one.</summary>
    public CircuitBreaker? BreakerForApp(string appId) =>
        _appBreakers.GetOrAdd(appId, id => ForApp(id).CircuitBreaker is { } policy ? new CircuitBreaker(policy, time ?? TimeProvider.System) : null);

    public TargetPolicies ForApp(string appId) =>
        Find(r => r.Apps.GetValueOrDefault(appId), "DefaultAppRetryPolicy", "DefaultRetryPolicy", "DefaultAppTimeoutPolicy");

    public TargetPolicies ForPubSubInbound(string component) =>
        Find(r => r.ComponentsInbound.GetValueOrDefault(component),
            ["DefaultPubsubComponentInboundRetryPolicy", "DefaultComponentInboundRetryPolicy", "DefaultComponentRetryPolicy", "DefaultRetryPolicy"],
            "DefaultComponentInboundTimeoutPolicy");

    private TargetPolicies Find(Func<ResiliencyResource, TargetPolicies?> target, string defaultRetry, string fallbackRetry, string defaultTimeout) =>
        Find(target, [defaultRetry, fallbackRetry], defaultTimeout);

    private TargetPolicies Find(Func<ResiliencyResource, TargetPolicies?> target, string[] defaultRetries, string defaultTimeout)
    {
        var specific = _mine.Select(target).FirstOrDefault(t => t is not null);
        var retry = specific?.Retry ?? defaultRetries.Select(NamedRetry).FirstOrDefault(r => r is not null);
        var timeout = specific?.Timeout ?? _mine.Select(r => r.Timeouts.TryGetValue(defaultTimeout, out var t) ? t : (TimeSpan?)null).FirstOrDefault(t => t is not null);
        return new TargetPolicies(retry, timeout, specific?.CircuitBreaker);
    }

    private RetryPolicy? NamedRetry(string name) =>
        _mine.Select(r => r.Retries.GetValueOrDefault(name)).FirstOrDefault(r => r is not null);
}

public static class RetryPolicyExtensions
{
    /// <summary>Whether a failure with this HTTP status is retried: an empty matching list retries every failure.</summary>
    public static bool MatchesHttpStatus(this RetryPolicy policy, int status) =>
        policy.Matching.HttpStatusCodes.Count == 0 ||
        policy.Matching.HttpStatusCodes.Any(range => status >= range.From && status <= range.To);

    /// <summary>Whether another attempt is allowed after <paramref name="retriesDone"/> retries.</summary>
    public static bool AllowsRetry(this RetryPolicy policy, int retriesDone) => policy.MaxRetries < 0 || retriesDone < policy.MaxRetries;

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (1-based). Constant: duration. Exponential: daprd's
    /// backoff starts at 500 ms and grows ×1.5 up to maxInterval (daprd also randomises ±50%; we do not, so
    /// tests are reproducible).
    /// </summary>
    public static TimeSpan DelayBefore(this RetryPolicy policy, int retry)
    {
        if (policy.Kind == RetryPolicyKind.Constant)
        {
            return policy.Duration;
        }

        var delay = TimeSpan.FromMilliseconds(500) * Math.Pow(1.5, Math.Min(retry - 1, 60));
        return delay > policy.MaxInterval ? policy.MaxInterval : delay;
    }
}
