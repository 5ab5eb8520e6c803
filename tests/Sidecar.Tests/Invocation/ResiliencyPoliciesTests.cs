using Sidecar.Hosting;
using Sidecar.Resiliency;
using Sidecar.Resources;
using Sidecar.Tests.Resources;

namespace Sidecar.Tests.Invocation;

/// <summary>Which Resiliency policies apply to an invocation target: a named target, else daprd's reserved defaults.</summary>
public sealed class ResiliencyPoliciesTests : IDisposable
{
    private readonly ResourceFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ResiliencyPolicies Load(string spec, string appId = "caller")
    {
        _folder.Write("resiliency.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: r\nspec:\n" + spec);
        return new ResiliencyPolicies(_folder.Load(appId), new SidecarOptions { AppId = appId });
    }

    private const string Policies = """
          policies:
            retries:
              DefaultAppRetryPolicy: { policy: constant, duration: 1s, maxRetries: 1 }
              DefaultRetryPolicy: { policy: constant, duration: 2s, maxRetries: 2 }
              named: { policy: constant, duration: 3s, maxRetries: 3 }
            timeouts:
              DefaultTimeoutPolicy: 7s
              short: 1s
            circuitBreakers:
              DefaultAppCircuitBreakerPolicy: { trip: consecutiveFailures >= 4 }

        """;

    [Fact]
    public void ForApp_NoTarget_UsesMostSpecificDefaults()
    {
        var policies = Load(Policies + "  targets: {}\n");

        var target = policies.ForApp("anyone");

        Assert.Equal("DefaultAppRetryPolicy", target.Retry!.Name);
        Assert.Equal(TimeSpan.FromSeconds(7), target.Timeout);
        Assert.Equal("DefaultAppCircuitBreakerPolicy", target.CircuitBreaker!.Name);
    }

    [Fact]
    public void ForApp_TwoResourcesNameTheTarget_TheOneLoadedLastWins()
    {
        // Files load in name order; daprd merges the resources into one map, so the later entry replaces the earlier.
        _folder.Write("a-resiliency.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: first\nspec:\n  policies:\n    timeouts:\n      first: 1s\n  targets:\n    apps:\n      callee:\n        timeout: first\n");
        _folder.Write("b-resiliency.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: second\nspec:\n  policies:\n    timeouts:\n      second: 2s\n  targets:\n    apps:\n      callee:\n        timeout: second\n");

        var target = new ResiliencyPolicies(_folder.Load("caller"), new SidecarOptions { AppId = "caller" }).ForApp("callee");

        Assert.Equal(TimeSpan.FromSeconds(2), target.Timeout);
    }

    [Fact]
    public void ForApp_NamedTarget_ReplacesDefaultsEntirely()
    {
        var policies = Load(Policies + "  targets:\n    apps:\n      callee:\n        timeout: short\n");

        var target = policies.ForApp("callee");

        Assert.Null(target.Retry);
        Assert.Equal(TimeSpan.FromSeconds(1), target.Timeout);
        Assert.Null(target.CircuitBreaker);
        Assert.Null(policies.BreakerForApp("callee"));
    }

    [Fact]
    public void ForApp_NoResiliency_HasNoPolicies()
    {
        var policies = new ResiliencyPolicies(_folder.Load(), new SidecarOptions { AppId = "caller" });

        Assert.Equal(TargetPolicies.None, policies.ForApp("callee"));
    }

    [Fact]
    public void ForApp_ResiliencyScopedToOtherApp_IsIgnored()
    {
        _folder.Write("resiliency.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: r\nspec:\n" + Policies
            + "  targets:\n    apps:\n      callee:\n        retry: named\nscopes:\n- someone-else\n");

        var policies = new ResiliencyPolicies(_folder.Load("caller"), new SidecarOptions { AppId = "caller" });

        Assert.Null(policies.ForApp("callee").Retry);
    }

    [Fact]
    public void ForPubSubInbound_NoTarget_FallsBackThroughComponentDefaults()
    {
        var policies = Load(Policies + "  targets: {}\n");

        Assert.Equal("DefaultRetryPolicy", policies.ForPubSubInbound("pubsub").Retry!.Name);
    }

    [Fact]
    public void BreakerForApp_SameApp_ReturnsOneSharedBreaker()
    {
        var policies = Load(Policies + "  targets: {}\n");

        Assert.Same(policies.BreakerForApp("callee"), policies.BreakerForApp("callee"));
        Assert.NotSame(policies.BreakerForApp("callee"), policies.BreakerForApp("other"));
    }
}
