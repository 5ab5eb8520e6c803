// CS0618: InvokeMethodWithResponseAsync is obsolete in the SDK, but apps still call it; testing that path is the point.
#pragma warning disable CS0618
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Platform.Testing;
using Sidecar.Faults;

namespace Sidecar.Tests.Invocation;

/// <summary>Resiliency (retry, timeout, circuit breaker) and fault injection on the caller's side of an invocation.</summary>
public sealed class InvocationResiliencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Resiliency(string policies, string target) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: invocation
        spec:
          policies:
        {policies}
          targets:
            apps:
              callee:
        {target}

        """;

    private const string RetryOn503 = """
            retries:
              retry503:
                policy: constant
                duration: 50ms
                maxRetries: 2
                matching:
                  httpStatusCodes: "503"
        """;

    private static async Task<HttpResponseMessage> InvokeAsync(InvocationRig rig, string method)
    {
        var request = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", method);
        return await rig.Caller.Client.InvokeMethodWithResponseAsync(request, Ct);
    }

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return error.RootElement.GetProperty("errorCode").GetString()!;
    }

    [Fact]
    public async Task Invoke_RetryPolicyMatching503_AppSeesThreeAttemptsAndCallerGetsTheLast()
    {
        await using var rig = await InvocationRig.StartAsync(Resiliency(RetryOn503, "        retry: retry503"));

        using var response = await InvokeAsync(rig, "attempts/retried");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("attempt 3", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(3, rig.AttemptsOf("retried"));
    }

    [Fact]
    public async Task Invoke_RetryPolicyNotMatchingStatus_IsNotRetried()
    {
        await using var rig = await InvocationRig.StartAsync(Resiliency(RetryOn503.Replace("\"503\"", "\"500-502\"", StringComparison.Ordinal), "        retry: retry503"));

        using var response = await InvokeAsync(rig, "attempts/unmatched");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, rig.AttemptsOf("unmatched"));
    }

    [Fact]
    public async Task Invoke_NoPolicy_AppSeesOneAttempt()
    {
        await using var rig = await InvocationRig.StartAsync();

        using var response = await InvokeAsync(rig, "attempts/once");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("attempt 1", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(1, rig.AttemptsOf("once"));
    }

    [Fact]
    public async Task Invoke_TimeoutPolicy_Answers500AfterTheTimeout()
    {
        await using var rig = await InvocationRig.StartAsync(Resiliency("    timeouts:\n      quick: 300ms", "        timeout: quick"));
        var clock = Stopwatch.StartNew();

        using var response = await InvokeAsync(rig, "slow");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_DIRECT_INVOKE", await ErrorCodeAsync(response));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Invoke_ZeroTimeoutPolicy_MeansNoTimeout()
    {
        await using var rig = await InvocationRig.StartAsync(Resiliency("    timeouts:\n      none: 0s", "        timeout: none"));

        using var response = await InvokeAsync(rig, "status/200");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Invoke_DefaultAppRetryPolicyWithoutTarget_RetriesMatchingStatus()
    {
        await using var rig = await InvocationRig.StartAsync(Resiliency(RetryOn503.Replace("retry503", "DefaultAppRetryPolicy", StringComparison.Ordinal), "        {}").Replace("    apps:\n      callee:\n", "    apps:\n", StringComparison.Ordinal));

        using var response = await InvokeAsync(rig, "attempts/by-default");

        Assert.Equal("attempt 3", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(3, rig.AttemptsOf("by-default"));
    }

    [Fact]
    public async Task Invoke_FaultInjectionAlwaysFailing_Answers503WithoutReachingTheApp()
    {
        await using var rig = await InvocationRig.StartAsync(configureCaller: o => o with { Faults = FaultOptions.Parse("seed=42,invokeFail=1:503") });

        using var response = await InvokeAsync(rig, "attempts/faulted");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("ERR_DIRECT_INVOKE", await ErrorCodeAsync(response));
        Assert.Equal(0, rig.AttemptsOf("faulted"));
    }

    [Fact]
    public async Task Invoke_FaultInjectionForOtherApp_LeavesThisCallAlone()
    {
        await using var rig = await InvocationRig.StartAsync(configureCaller: o => o with { Faults = FaultOptions.Parse("seed=42,invokeFail=1:503,invokeFailApps=payments") });

        using var response = await InvokeAsync(rig, "status/200");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Invoke_CircuitBreakerTrips_FailsFastThenRecoversAfterTimeout()
    {
        await using var rig = await InvocationRig.StartAsync(Resiliency(
            "    circuitBreakers:\n      cb:\n        maxRequests: 1\n        timeout: 1s\n        trip: consecutiveFailures >= 2",
            "        circuitBreaker: cb"));

        using var first = await InvokeAsync(rig, "breaker/cb");
        using var second = await InvokeAsync(rig, "breaker/cb");
        using var open = await InvokeAsync(rig, "breaker/cb");

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal("breaker", await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.InternalServerError, open.StatusCode);
        Assert.Contains("circuit breaker is open", await open.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(2, rig.AttemptsOf("cb"));

        // After the breaker's timeout a half-open trial goes through; a success closes it again.
        rig.Behaviour.BreakerStatus = 200;
        await Eventually.MatchAsync(
            async () => { using var r = await InvokeAsync(rig, "breaker/cb"); return r.StatusCode; },
            status => status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10),
            "the breaker lets a trial call through after its timeout");
        using var closed = await InvokeAsync(rig, "breaker/cb");
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
    }
}
