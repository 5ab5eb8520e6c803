using System.Net;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using DaprGrpc = Dapr.Client.Autogen.Grpc.v1;

namespace Sidecar.Tests.Jobs;

public sealed class JobsApiTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static Any Payload(string text) =>
        new() { TypeUrl = "dapr.io/schedule/jobpayload", Value = ByteString.CopyFromUtf8(text) };

    private static DaprGrpc.JobFailurePolicy Constant(TimeSpan interval, uint maxRetries) =>
        new() { Constant = new DaprGrpc.JobFailurePolicyConstant { Interval = Duration.FromTimeSpan(interval), MaxRetries = maxRetries } };

    [Fact]
    public async Task ScheduleJob_EverySecondWithTwoRepeats_FiresExactlyTwiceWithTheData()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-repeat");

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "tick", Schedule = "@every 1s", Repeats = 2, Data = Payload(" {\"run\":42}\n") });
        await jobs.WaitUntilGoneAsync("tick", Timeout);

        var triggers = jobs.Recorder.To("/job/tick");
        Assert.Equal(2, triggers.Count);
        Assert.All(triggers, t =>
        {
            Assert.Equal("POST", t.Method);
            Assert.Equal("{\"run\":42}", t.Body);
            Assert.StartsWith("application/json", t.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", t.Headers["traceparent"]);
        });
        Assert.True(triggers[1].ReceivedAt - triggers[0].ReceivedAt > TimeSpan.FromMilliseconds(500), "the second trigger waits for the next period");
    }

    [Fact]
    public async Task ScheduleJob_DueTimeOnly_FiresOnceThenIsGone()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-oneshot");
        var scheduledAt = DateTimeOffset.UtcNow;

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "once", DueTime = "1s", Data = Payload("\"hello\"") });
        await jobs.WaitUntilGoneAsync("once", Timeout);

        var trigger = Assert.Single(jobs.Recorder.To("/job/once"));
        Assert.Equal("\"hello\"", trigger.Body);
        Assert.True(trigger.ReceivedAt - scheduledAt >= TimeSpan.FromMilliseconds(900), $"fired after {trigger.ReceivedAt - scheduledAt}");
    }

    [Fact]
    public async Task ScheduleJob_RfcDueTimeInThePast_FiresAtOnce()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-past");

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "late", DueTime = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) });
        await jobs.WaitUntilGoneAsync("late", Timeout);

        Assert.Equal(1, jobs.Triggers("late"));
    }

    [Fact]
    public async Task ScheduleJob_TtlAfterTwoPeriods_StopsTheJob()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-ttl");

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "short-lived", Schedule = "@every 1s", Ttl = "2500ms" });
        await jobs.WaitUntilGoneAsync("short-lived", Timeout);

        Assert.Equal(2, jobs.Triggers("short-lived"));
    }

    [Fact]
    public async Task Trigger_AppAnswers404_CountsAsSuccessWithoutRetry()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-404", jobStatus: _ => StatusCodes.Status404NotFound);

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "unhandled", DueTime = "0s", FailurePolicy = Constant(TimeSpan.FromMilliseconds(100), 5) });
        await jobs.WaitUntilGoneAsync("unhandled", Timeout);

        Assert.Equal(1, jobs.Triggers("unhandled"));
    }

    [Fact]
    public async Task Trigger_AppAnswers500_RetriedPerConstantPolicyThenDropped()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-500", jobStatus: _ => StatusCodes.Status500InternalServerError);

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "failing", DueTime = "0s", FailurePolicy = Constant(TimeSpan.FromMilliseconds(200), 2) });
        await jobs.WaitUntilGoneAsync("failing", Timeout);

        var attempts = jobs.Recorder.To("/job/failing");
        Assert.Equal(3, attempts.Count);
        Assert.True(attempts[2].ReceivedAt - attempts[0].ReceivedAt >= TimeSpan.FromMilliseconds(350), "retries wait for the interval");
    }

    [Fact]
    public async Task Trigger_AppAnswers500WithoutPolicy_RetriedThreeTimesAtOneSecond()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-default-policy", jobStatus: _ => StatusCodes.Status503ServiceUnavailable);

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "flaky", DueTime = "0s" });
        await jobs.WaitUntilGoneAsync("flaky", Timeout);

        var attempts = jobs.Recorder.To("/job/flaky");
        Assert.Equal(4, attempts.Count);
        Assert.True(attempts[3].ReceivedAt - attempts[0].ReceivedAt >= TimeSpan.FromMilliseconds(2800), "three retries one second apart");
    }

    [Fact]
    public async Task Trigger_AppAnswers500WithDropPolicy_TriedOnce()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-drop", jobStatus: _ => StatusCodes.Status500InternalServerError);

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "dropped", DueTime = "0s", FailurePolicy = new DaprGrpc.JobFailurePolicy { Drop = new DaprGrpc.JobFailurePolicyDrop() } });
        await jobs.WaitUntilGoneAsync("dropped", Timeout);

        Assert.Equal(1, jobs.Triggers("dropped"));
    }

    [Fact]
    public async Task ScheduleJob_ExistingNameWithoutOverwrite_FailsAndKeepsTheFirst()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-overwrite", withApp: false);
        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "nightly", Schedule = "@daily" });

        var error = await Assert.ThrowsAsync<RpcException>(() => jobs.ScheduleAsync(new DaprGrpc.Job { Name = "nightly", Schedule = "@hourly" }));
        var kept = await jobs.Client.GetJobAsync(new DaprGrpc.GetJobRequest { Name = "nightly" }, jobs.Call());
        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "nightly", Schedule = "@hourly" }, overwrite: true);
        var replaced = await jobs.Client.GetJobAsync(new DaprGrpc.GetJobRequest { Name = "nightly" }, jobs.Call());

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("already exists", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("@daily", kept.Job.Schedule);
        Assert.Equal("@hourly", replaced.Job.Schedule);
    }

    [Theory]
    [InlineData("", "@every 1s", null, null)]
    [InlineData("no-when", null, null, null)]
    [InlineData("bad-schedule", "every minute", null, null)]
    [InlineData("five-fields", "*/5 * * * *", null, null)]
    [InlineData("bad-due", null, "tomorrow", null)]
    [InlineData("bad-ttl", "@every 1s", null, "soon")]
    [InlineData("ttl-before-due", null, "10s", "5s")]
    public async Task ScheduleJob_InvalidJob_IsInvalidArgument(string name, string? schedule, string? dueTime, string? ttl)
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-invalid", withApp: false);
        var job = new DaprGrpc.Job { Name = name };
        if (schedule is not null)
        {
            job.Schedule = schedule;
        }

        if (dueTime is not null)
        {
            job.DueTime = dueTime;
        }

        if (ttl is not null)
        {
            job.Ttl = ttl;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => jobs.ScheduleAsync(job));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        if (name.Length > 0)
        {
            Assert.False(await jobs.ExistsAsync(name));
        }
    }

    [Fact]
    public async Task ScheduleJob_NoJob_IsInvalidArgument()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-nojob", withApp: false);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await jobs.Client.ScheduleJobAsync(new DaprGrpc.ScheduleJobRequest(), jobs.Call()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task GetJob_Scheduled_ReturnsTheJobAsScheduled()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-get", withApp: false);
        var job = new DaprGrpc.Job
        {
            Name = "report",
            Schedule = "0 0 6 * * MON",
            Repeats = 10,
            DueTime = "2030-01-01T06:00:00Z",
            Ttl = "2031-01-01T00:00:00Z",
            Data = Payload("{\"kind\":\"weekly\"}"),
            FailurePolicy = Constant(TimeSpan.FromSeconds(5), 1),
        };

        await jobs.ScheduleAsync(job);
        var got = await jobs.Client.GetJobAsync(new DaprGrpc.GetJobRequest { Name = "report" }, jobs.Call());
        // The Alpha1 twin is what SDKs fall back to on older sidecars (contract §1.4); obsolete in the stubs only.
#pragma warning disable CS0612
        var alpha = await jobs.Client.GetJobAlpha1Async(new DaprGrpc.GetJobRequest { Name = "report" }, jobs.Call());
#pragma warning restore CS0612

        Assert.Equal(job, got.Job);
        Assert.Equal(job, alpha.Job);
    }

    [Fact]
    public async Task GetJob_Unknown_FailsWithNotFoundMessage()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-unknown", withApp: false);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await jobs.Client.GetJobAsync(new DaprGrpc.GetJobRequest { Name = "ghost" }, jobs.Call()));

        // daprd wraps the Scheduler's answer: Internal "failed to get job due to: …".
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("failed to get job", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("ghost", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteJob_BeforeItIsDue_ItNeverFires()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-delete");

        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "cancelled", DueTime = "1s" });
        await jobs.Client.DeleteJobAsync(new DaprGrpc.DeleteJobRequest { Name = "cancelled" }, jobs.Call());
        // A witness due later than the deleted one: once it fired, the deleted one would have too.
        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "witness", DueTime = "1500ms" });
        await jobs.WaitUntilGoneAsync("witness", Timeout);

        Assert.Equal(1, jobs.Triggers("witness"));
        Assert.Equal(0, jobs.Triggers("cancelled"));
        Assert.False(await jobs.ExistsAsync("cancelled"));
    }

    [Fact]
    public async Task DeleteJob_Unknown_Succeeds()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-delete-unknown", withApp: false);

#pragma warning disable CS0612 // The Alpha1 twin, still served for older SDKs (contract §1.4).
        await jobs.Client.DeleteJobAlpha1Async(new DaprGrpc.DeleteJobRequest { Name = "never-was" }, jobs.Call());
#pragma warning restore CS0612

        Assert.False(await jobs.ExistsAsync("never-was"));
    }

    [Fact]
    public async Task Restart_PendingJobs_FireFromTheNewSidecar()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("platform-jobs-").FullName;
        try
        {
            // First sidecar has no app: it stores the jobs but cannot fire them.
            await using (var first = await JobsHarness.StartAsync("jobs-durable", dataDirectory: dataDirectory, withApp: false))
            {
                await first.ScheduleAsync(new DaprGrpc.Job { Name = "overdue", DueTime = "500ms", Data = Payload("{\"a\":1}") });
                await first.ScheduleAsync(new DaprGrpc.Job { Name = "recurring", Schedule = "@every 1s", Repeats = 2 });
            }

            var file = await File.ReadAllTextAsync(Path.Combine(dataDirectory, "jobs.json"), TestContext.Current.CancellationToken);
            Assert.Equal(2, JsonDocument.Parse(file).RootElement.GetArrayLength());

            await using var second = await JobsHarness.StartAsync("jobs-durable", dataDirectory: dataDirectory);
            await second.WaitUntilGoneAsync("overdue", Timeout);
            await second.WaitUntilGoneAsync("recurring", Timeout);

            Assert.Equal("{\"a\":1}", Assert.Single(second.Recorder.To("/job/overdue")).Body);
            Assert.Equal(2, second.Triggers("recurring"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Restart_TriggerCount_IsKept()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("platform-jobs-").FullName;
        try
        {
            await using (var first = await JobsHarness.StartAsync("jobs-count", dataDirectory: dataDirectory))
            {
                await first.ScheduleAsync(new DaprGrpc.Job { Name = "twice", Schedule = "@every 1h", Repeats = 2 });
                Assert.Equal(HttpStatusCode.NoContent, await TriggerAsync(first, "twice"));
                Assert.Equal(1, first.Triggers("twice"));
            }

            await using var second = await JobsHarness.StartAsync("jobs-count", dataDirectory: dataDirectory);
            Assert.True(await second.ExistsAsync("twice"));
            Assert.Equal(HttpStatusCode.NoContent, await TriggerAsync(second, "twice"));

            // The second trigger after the restart was the job's last.
            Assert.False(await second.ExistsAsync("twice"));
            Assert.Equal(1, second.Triggers("twice"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task TriggerHook_ScheduledJob_PostsNowWithAppTokenAndData()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-hook", configure: o => o with { AppApiToken = "app-secret" });
        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "hourly", Schedule = "@every 1h", Data = Payload(" [1,2] ") });

        var status = await TriggerAsync(jobs, "hourly");

        Assert.Equal(HttpStatusCode.NoContent, status);
        var trigger = Assert.Single(jobs.Recorder.To("/job/hourly"));
        Assert.Equal("[1,2]", trigger.Body);
        Assert.Equal("app-secret", trigger.Headers["dapr-api-token"]);
        Assert.True(await jobs.ExistsAsync("hourly"), "a recurring job goes on after a manual trigger");
    }

    [Fact]
    public async Task TriggerHook_UnknownJob_Answers404()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-hook-unknown");

        Assert.Equal(HttpStatusCode.NotFound, await TriggerAsync(jobs, "ghost"));
    }

    [Fact]
    public async Task TriggerHook_AppKeepsFailing_Answers502()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-hook-fail", jobStatus: _ => StatusCodes.Status500InternalServerError);
        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "broken", Schedule = "@every 1h", FailurePolicy = Constant(TimeSpan.FromMilliseconds(50), 1) });

        Assert.Equal(HttpStatusCode.BadGateway, await TriggerAsync(jobs, "broken"));
        Assert.Equal(2, jobs.Triggers("broken"));
    }

    [Fact]
    public async Task TriggerHook_ApiTokenConfigured_RefusesCallsWithoutIt()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-hook-token", configure: o => o with { ApiToken = "s3cret" });
        await jobs.ScheduleAsync(new DaprGrpc.Job { Name = "guarded", Schedule = "@every 1h" });

        var missing = await TriggerAsync(jobs, "guarded", token: null);
        var wrong = await TriggerAsync(jobs, "guarded", token: "wrong");
        var right = await TriggerAsync(jobs, "guarded", token: "s3cret");

        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal(HttpStatusCode.NoContent, right);
        Assert.Equal(1, jobs.Triggers("guarded"));
    }

    [Fact]
    public async Task ScheduleJob_ApiTokenConfigured_RefusesCallsWithoutIt()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-grpc-token", withApp: false, configure: o => o with { ApiToken = "s3cret" });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await jobs.Client.ScheduleJobAsync(
            new DaprGrpc.ScheduleJobRequest { Job = new DaprGrpc.Job { Name = "x", Schedule = "@daily" } },
            cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.False(await jobs.ExistsAsync("x"));
    }

    /// <summary>Posts the sidecar's trigger hook; by default with the sidecar's own API token.</summary>
    private static async Task<HttpStatusCode> TriggerAsync(JobsHarness jobs, string name, string? token = "")
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{jobs.Sidecar.HttpEndpoint}/v1.0-test/jobs/{name}/trigger");
        var apiToken = token == "" ? jobs.Sidecar.Options.ApiToken : token;
        if (apiToken is not null)
        {
            request.Headers.Add("dapr-api-token", apiToken);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
