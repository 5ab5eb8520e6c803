using System.Collections.Concurrent;
using Sidecar.Hosting;
using Sidecar.Resources;

namespace Sidecar.Resiliency;

/// <summary>
/// Looks up the Resiliency policies that apply to a target, with daprd's named default policies as fallback
/// (contract §4.7, §5.2). Only resources whose scopes include this app count. When several resources name the
/// same target or policy, the one loaded last wins, as in daprd (it merges them into one map in load order).
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

    /// <summary>
    /// Policies for invoking <paramref name="appId"/>. As in daprd, a <c>targets.apps.&lt;appId&gt;</c> entry
    /// replaces the defaults entirely; only without one do the reserved Default* policies apply.
    /// </summary>
    public TargetPolicies ForApp(string appId) =>
        Find(r => r.Apps.GetValueOrDefault(appId), "App", "");

    /// <summary>Policies for delivering to the app from pub/sub component <paramref name="component"/> (contract §4.7).</summary>
    public TargetPolicies ForPubSubInbound(string component) =>
        Find(r => r.ComponentsInbound.GetValueOrDefault(component), "PubsubComponentInbound", "ComponentInbound", "Component", "");

    /// <param name="defaultInfixes">Default policy names from most to least specific: Default{infix}RetryPolicy etc.</param>
    private TargetPolicies Find(Func<ResiliencyResource, TargetPolicies?> target, params string[] defaultInfixes)
    {
        if (_mine.Select(target).LastOrDefault(t => t is not null) is { } specific)
        {
            return specific;
        }

        return new TargetPolicies(
            TryLastNamed(defaultInfixes, infix => $"Default{infix}RetryPolicy", r => r.Retries, out var retry) ? retry : null,
            TryLastNamed(defaultInfixes, infix => $"Default{infix}TimeoutPolicy", r => r.Timeouts, out var timeout) ? timeout : null,
            TryLastNamed(defaultInfixes, infix => $"Default{infix}CircuitBreakerPolicy", r => r.CircuitBreakers, out var breaker) ? breaker : null);
    }

    private bool TryLastNamed<T>(string[] infixes, Func<string, string> name, Func<ResiliencyResource, IReadOnlyDictionary<string, T>> policies, out T policy)
    {
        foreach (var infix in infixes)
        {
            foreach (var resource in Enumerable.Reverse(_mine))
            {
                if (policies(resource).TryGetValue(name(infix), out policy!))
                {
                    return true;
                }
            }
        }

        policy = default!;
        return false;
    }
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
