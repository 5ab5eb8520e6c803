// CS0618: InvokeMethodWithResponseAsync is obsolete in the SDK, but apps still call it; testing that path is the point.
#pragma warning disable CS0618
using System.Net;
using System.Text.Json;
using Sidecar.Faults;
using Sidecar.Hosting;

namespace Sidecar.Tests.Invocation;

/// <summary>
/// The injected slow target ("invokeDelay"): the caller's sidecar waits before it forwards an attempt, inside the
/// attempt's Resiliency timeout, so policies, breakers and a caller going away treat it as a late answer.
/// Outcomes are asserted, never durations: a delay of minutes that is applied would hang the test, not pass it.
/// </summary>
public sealed class InvocationDelayFaultTests
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

    private static readonly string QuickTimeout = Resiliency("    timeouts:\n      quick: 300ms", "        timeout: quick");

    /// <summary>For calls that must go through: a busy test process can take longer than 300 ms for a plain call.</summary>
    private static readonly string RoomyTimeout = Resiliency("    timeouts:\n      roomy: 30s", "        timeout: roomy");

    private static Func<SidecarOptions, SidecarOptions> WithFaults(string spec) => o => o with { Faults = FaultOptions.Parse(spec) };

    private static async Task<HttpResponseMessage> InvokeAsync(InvocationRig rig, string method)
    {
        var request = rig.Caller.Client.CreateInvokeMethodRequest(HttpMethod.Get, "callee", method);
        return await rig.Caller.Client.InvokeMethodWithResponseAsync(request, Ct);
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response)
    {
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ERR_DIRECT_INVOKE", error.RootElement.GetProperty("errorCode").GetString());
        return error.RootElement.GetProperty("message").GetString()!;
    }

    [Fact]
    public async Task Invoke_DelayLongerThanTheTimeoutPolicy_TimesOutWithoutReachingTheApp()
    {
        await using var rig = await InvocationRig.StartAsync(QuickTimeout, WithFaults("seed=1,invokeDelay=10m,invokeDelayApps=callee"));

        using var response = await InvokeAsync(rig, "attempts/delayed");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("timeout after", await ErrorMessageAsync(response), StringComparison.Ordinal);
        Assert.Equal(0, rig.AttemptsOf("delayed"));
    }

    [Fact]
    public async Task Invoke_DelayForAnotherApp_LeavesThisCallAlone()
    {
        // Applied here, the ten-minute delay would end in the 30 s timeout's 500.
        await using var rig = await InvocationRig.StartAsync(RoomyTimeout, WithFaults("seed=1,invokeDelay=10m,invokeDelayApps=payments|inventory"));

        using var response = await InvokeAsync(rig, "status/200");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Invoke_DelayWithinTheTimeout_IsForwardedOnEveryAttempt()
    {
        await using var rig = await InvocationRig.StartAsync(
            Resiliency("    timeouts:\n      roomy: 30s\n    retries:\n      twice:\n        policy: constant\n        duration: 10ms\n        maxRetries: 2\n        matching:\n          httpStatusCodes: \"503\"", "        timeout: roomy\n        retry: twice"),
            WithFaults("seed=1,invokeDelay=50ms"));

        using var response = await InvokeAsync(rig, "attempts/slow-but-there");

        Assert.Equal("attempt 3", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(3, rig.AttemptsOf("slow-but-there"));
    }

    [Fact]
    public async Task Invoke_DelayedAttemptsTimingOut_TripTheCircuitBreaker()
    {
        await using var rig = await InvocationRig.StartAsync(
            Resiliency(
                "    timeouts:\n      quick: 200ms\n    circuitBreakers:\n      cb:\n        maxRequests: 1\n        timeout: 5m\n        trip: consecutiveFailures >= 2",
                "        timeout: quick\n        circuitBreaker: cb"),
            WithFaults("seed=1,invokeDelay=10m,invokeDelayApps=callee"));

        using var first = await InvokeAsync(rig, "status/200");
        using var second = await InvokeAsync(rig, "status/200");
        using var open = await InvokeAsync(rig, "status/200");

        Assert.Contains("timeout after", await ErrorMessageAsync(first), StringComparison.Ordinal);
        Assert.Contains("timeout after", await ErrorMessageAsync(second), StringComparison.Ordinal);
        Assert.Contains("circuit breaker is open", await ErrorMessageAsync(open), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_CallerGoesAwayDuringTheDelay_TheCallIsNeverForwarded()
    {
        // The delay is long beside the 200 ms the caller waits, so a busy machine cannot make the cancellation arrive after it.
        await using var rig = await InvocationRig.StartAsync(configureCaller: WithFaults("seed=1,invokeDelay=5s"));
        using var http = new HttpClient { BaseAddress = new Uri(rig.Caller.HttpEndpoint) };
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        giveUp.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetAsync(new Uri("/v1.0/invoke/callee/method/attempts/abandoned", UriKind.Relative), giveUp.Token));

        // Past the delay: had the cancelled wait not ended the call, the attempt would have reached the app by now.
        await Task.Delay(TimeSpan.FromSeconds(6), Ct);
        Assert.Equal(0, rig.AttemptsOf("abandoned"));
        using var later = await InvokeAsync(rig, "status/200");
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public void InvocationDelay_SameSeedAndProbability_DelaysTheSameCalls()
    {
        // Drawn, not timed: through real calls a plain call that was slow under load looked like a delayed one.
        var first = DelayPattern(new FaultInjector(new SidecarOptions { AppId = "caller", Faults = FaultOptions.Parse("seed=5,invokeDelay=0.5:10m,invokeDelayApps=callee") }), otherAppsBetween: false);
        var second = DelayPattern(new FaultInjector(new SidecarOptions { AppId = "caller", Faults = FaultOptions.Parse("seed=5,invokeDelay=0.5:10m,invokeDelayApps=callee") }), otherAppsBetween: true);

        // Calls to apps outside invokeDelayApps draw nothing, so they do not shift this app's sequence.
        Assert.Equal(first, second);
        Assert.Contains('T', first);
        Assert.Contains('-', first);
    }

    /// <summary>Twenty attempts to callee: T where the ten-minute delay was drawn, - where it was not.</summary>
    private static string DelayPattern(FaultInjector faults, bool otherAppsBetween)
    {
        var pattern = new System.Text.StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            if (otherAppsBetween)
            {
                Assert.Null(faults.InvocationDelay("payments"));
            }

            pattern.Append(faults.InvocationDelay("callee") is { } delay ? (delay == TimeSpan.FromMinutes(10) ? 'T' : '?') : '-');
        }

        return pattern.ToString();
    }

    [Theory]
    [InlineData("invokeDelay=200ms", 1.0, 200)]
    [InlineData("invokeDelay=0.25:2s", 0.25, 2000)]
    public void Parse_InvokeDelay_SetsProbabilityAndDuration(string spec, double probability, int milliseconds)
    {
        var faults = FaultOptions.Parse(spec);

        Assert.Equal(probability, faults.InvokeDelayProbability);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), faults.InvokeDelay);
        Assert.Empty(faults.InvokeDelayApps);
    }

    [Fact]
    public void Parse_InvokeDelayApps_AreListed()
    {
        var faults = FaultOptions.Parse("invokeDelay=200ms, invokeDelayApps=payments|inventory");

        Assert.Equal(["payments", "inventory"], faults.InvokeDelayApps);
    }

    [Fact]
    public void Parse_NoInvokeDelay_IsOff()
    {
        var faults = FaultOptions.Parse("invokeFail=1:503");

        Assert.Equal(0, faults.InvokeDelayProbability);
    }

    [Theory]
    [InlineData("invokeDelay=soon", "invokeDelay: 'soon' is not a positive duration (e.g. invokeDelay=200ms")]
    [InlineData("invokeDelay=0ms", "invokeDelay: '0ms' is not a positive duration")]
    [InlineData("invokeDelay=0.5", "invokeDelay: '0.5' is not a positive duration")]
    [InlineData("invokeDelay=2:200ms", "invokeDelay: '2' is not a probability between 0 and 1")]
    [InlineData("invokeDelay=0.5:later", "invokeDelay: 'later' is not a positive duration")]
    [InlineData("invokeDelay=200ms,invokeDelayApps=", "invokeDelayApps: needs at least one app id")]
    [InlineData("invokeDelayApps=payments", "invokeDelayApps needs invokeDelay")]
    public void Parse_BadInvokeDelay_IsAUsageErrorThatSaysWhy(string spec, string message)
    {
        var error = Assert.Throws<SidecarUsageException>(() => FaultOptions.Parse(spec));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SidecarFaultsFlag_CarriesTheDelay()
    {
        var options = SidecarCommandLine.Parse(["--app-id", "gateway", "--sidecar-faults", "seed=3,invokeDelay=200ms,invokeDelayApps=payments"], _ => null);

        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Faults!.InvokeDelay);
        Assert.Equal(["payments"], options.Faults.InvokeDelayApps);
    }
}
