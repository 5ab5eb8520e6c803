using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;
using Sidecar.Hosting;
using Sidecar.Resources;

namespace Sidecar.Tests.Jobs;

public sealed class CronBindingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static string Cron(string name, string schedule, params (string Name, string Value)[] extra) =>
        ComponentYaml.Component(name, "bindings.cron", "v1", [("schedule", schedule), .. extra]);

    private static async Task<IReadOnlyList<RecordedRequest>> PostsAsync(TestApp app, string path, int count) =>
        await Eventually.MatchAsync(
            () => app.Recorder.To(path).Where(r => r.Method == "POST").ToList(),
            posts => posts.Count >= count,
            Timeout,
            $"{count} POST(s) to {path}");

    [Fact]
    public async Task CronBinding_EverySecond_PostsEmptyJsonToTheComponentName()
    {
        // A POST-only endpoint answers OPTIONS with 405, which daprd counts as "the app listens".
        await using var app = await TestApp.StartAsync(web => web.MapPost("/reconcile", () => Results.Ok()));
        await using var sidecar = await TestSidecar.StartAsync("cron-app", Cron("reconcile", "@every 1s"), app.Port);

        var posts = await PostsAsync(app, "/reconcile", 2);

        var probe = Assert.Single(app.Recorder.To("/reconcile"), r => r.Method == "OPTIONS");
        Assert.True(probe.ReceivedAt <= posts[0].ReceivedAt, "the probe comes first");
        Assert.All(posts, post =>
        {
            Assert.Equal("", post.Body);
            Assert.StartsWith("application/json", post.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Equal("Local", post.Headers["timeZone"]);
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$", post.Headers["readTimeUTC"]);
            Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", post.Headers["traceparent"]);
        });
        Assert.True(posts[1].ReceivedAt - posts[0].ReceivedAt > TimeSpan.FromMilliseconds(500), "one tick per period");
    }

    [Fact]
    public async Task CronBinding_RouteAndDirectionInput_PostsToTheRouteWithoutProbing()
    {
        await using var app = await TestApp.StartAsync(web =>
        {
            web.MapMethods("/custom/tick", ["OPTIONS"], () => Results.NotFound());
            web.MapPost("/custom/tick", () => Results.Ok());
        });
        await using var sidecar = await TestSidecar.StartAsync(
            "cron-route-app",
            Cron("ticker", "*/1 * * * * *", ("route", "/custom/tick"), ("direction", "input")),
            app.Port,
            o => o with { AppApiToken = "app-secret" });

        var posts = await PostsAsync(app, "/custom/tick", 1);

        Assert.DoesNotContain(app.Recorder.Requests, r => r.Method == "OPTIONS");
        Assert.Empty(app.Recorder.To("/ticker"));
        Assert.Equal("app-secret", posts[0].Headers["dapr-api-token"]);
    }

    [Fact]
    public async Task CronBinding_OptionsAnswers404AndNoDirection_IsNeverTriggered()
    {
        // "quiet" has no endpoint (OPTIONS → 404); "loud" ticks on the same schedule as a witness.
        await using var app = await TestApp.StartAsync(web => web.MapPost("/loud", () => Results.Ok()));
        await using var sidecar = await TestSidecar.StartAsync(
            "cron-quiet-app", Cron("quiet", "@every 1s") + Cron("loud", "@every 1s"), app.Port);

        await PostsAsync(app, "/loud", 2);
        var hook = await TriggerAsync(sidecar, "quiet");

        var quiet = app.Recorder.To("/quiet");
        Assert.Equal("OPTIONS", Assert.Single(quiet).Method);
        Assert.Equal(HttpStatusCode.Conflict, hook);
    }

    [Fact]
    public async Task CronBinding_DirectionOutputOnly_IsNeitherProbedNorTriggered()
    {
        await using var app = await TestApp.StartAsync(web =>
        {
            web.MapPost("/outbound", () => Results.Ok());
            web.MapPost("/witness", () => Results.Ok());
        });
        await using var sidecar = await TestSidecar.StartAsync(
            "cron-output-app", Cron("outbound", "@every 1s", ("direction", "output")) + Cron("witness", "@every 1s"), app.Port);

        await PostsAsync(app, "/witness", 2);

        Assert.Empty(app.Recorder.To("/outbound"));
        Assert.Equal(HttpStatusCode.Conflict, await TriggerAsync(sidecar, "outbound"));
    }

    [Fact]
    public async Task CronBinding_AppAnswers500_KeepsTicking()
    {
        await using var app = await TestApp.StartAsync(web => web.MapPost("/sweep", () => Results.StatusCode(StatusCodes.Status500InternalServerError)));
        await using var sidecar = await TestSidecar.StartAsync("cron-failing-app", Cron("sweep", "@every 1s"), app.Port);

        var posts = await PostsAsync(app, "/sweep", 2);

        Assert.True(posts[1].ReceivedAt - posts[0].ReceivedAt > TimeSpan.FromMilliseconds(500), "no immediate retry: the next tick only");
        Assert.Equal(HttpStatusCode.BadGateway, await TriggerAsync(sidecar, "sweep"));
    }

    [Fact]
    public async Task TriggerHook_ListeningBinding_PostsNow()
    {
        await using var app = await TestApp.StartAsync(web => web.MapPost("/nightly", () => Results.Ok()));
        await using var sidecar = await TestSidecar.StartAsync("cron-hook-app", Cron("nightly", "0 0 3 * * *"), app.Port);
        await WaitReadyAsync(sidecar);

        var status = await TriggerAsync(sidecar, "nightly");

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Single(app.Recorder.To("/nightly"), r => r.Method == "POST");
    }

    [Fact]
    public async Task TriggerHook_UnknownBinding_Answers404()
    {
        await using var sidecar = await TestSidecar.StartAsync("cron-hook-unknown", "");

        Assert.Equal(HttpStatusCode.NotFound, await TriggerAsync(sidecar, "nope"));
    }

    [Fact]
    public async Task TriggerHook_ApiTokenConfigured_RefusesCallsWithoutIt()
    {
        await using var app = await TestApp.StartAsync(web => web.MapPost("/guarded", () => Results.Ok()));
        await using var sidecar = await TestSidecar.StartAsync(
            "cron-hook-token", Cron("guarded", "@yearly", ("direction", "input")), app.Port, o => o with { ApiToken = "s3cret" });
        await WaitReadyAsync(sidecar);

        var missing = await TriggerAsync(sidecar, "guarded", token: null);
        var wrong = await TriggerAsync(sidecar, "guarded", token: "wrong");
        var right = await TriggerAsync(sidecar, "guarded", token: "s3cret");

        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal(HttpStatusCode.NoContent, right);
        Assert.Single(app.Recorder.To("/guarded"));
    }

    [Fact]
    public async Task CronBinding_InvalidSchedule_StopsStartUp()
    {
        var error = await Assert.ThrowsAsync<ResourceException>(() =>
            TestSidecar.StartAsync("cron-invalid-app", Cron("broken", "every minute")));

        Assert.Contains("invalid schedule format", error.Message, StringComparison.Ordinal);
        Assert.Equal("spec.metadata.schedule", error.Field);
    }

    /// <summary>The bindings are probed and started before the sidecar reports the app ready.</summary>
    private static async Task WaitReadyAsync(TestSidecar sidecar) =>
        await Eventually.MatchAsync(() => sidecar.Host.Services.GetRequiredService<SidecarReadiness>().AppReady, ready => ready, Timeout, "sidecar ready");

    private static async Task<HttpStatusCode> TriggerAsync(TestSidecar sidecar, string name, string? token = "")
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{sidecar.HttpEndpoint}/v1.0-test/bindings/{name}/trigger");
        var apiToken = token == "" ? sidecar.Options.ApiToken : token;
        if (apiToken is not null)
        {
            request.Headers.Add("dapr-api-token", apiToken);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
