using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sidecar.Tests.Jobs;

public sealed class JobsHttpApiTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(JobsHarness jobs, HttpMethod method, string name, string? json = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, $"{jobs.Sidecar.HttpEndpoint}/v1.0-alpha1/jobs/{name}");
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task HttpSchedule_JsonData_TriggerDeliversTheJson()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-http-trigger");

        var (status, _) = await SendAsync(jobs, HttpMethod.Post, "spice", """{"data": {"value": "Running spice"}, "dueTime": "0s"}""");
        await jobs.WaitUntilGoneAsync("spice", Timeout);

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal("""{"value":"Running spice"}""", Assert.Single(jobs.Recorder.To("/job/spice")).Body);
    }

    [Fact]
    public async Task HttpGet_Scheduled_ReturnsItsFieldsAndData()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-http-get", withApp: false);
        await SendAsync(jobs, HttpMethod.Post, "jabba", """{"data": 123, "schedule": "@every 1m", "repeats": 5}""");

        var (status, body) = await SendAsync(jobs, HttpMethod.Get, "jabba");

        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("jabba", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("@every 1m", json.RootElement.GetProperty("schedule").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("repeats").GetInt32());
        Assert.Equal(123, json.RootElement.GetProperty("data").GetInt32());
    }

    [Fact]
    public async Task HttpGet_Unknown_Answers500()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-http-unknown", withApp: false);

        var (status, body) = await SendAsync(jobs, HttpMethod.Get, "ghost");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("failed to get job", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"data": 1}""")]
    [InlineData("""{"schedule": "every minute"}""")]
    [InlineData("""{"name": "other", "dueTime": "1s"}""")]
    [InlineData("""{"dueTime": 5}""")]
    [InlineData("""{"dueTime": "1s", "repeats": -1}""")]
    [InlineData("""not json""")]
    [InlineData("""[1, 2]""")]
    public async Task HttpSchedule_MalformedJob_Answers400(string json)
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-http-invalid", withApp: false);

        var (status, body) = await SendAsync(jobs, HttpMethod.Post, "bad", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("errorCode", body, StringComparison.Ordinal);
        Assert.False(await jobs.ExistsAsync("bad"));
    }

    [Fact]
    public async Task HttpSchedule_ExistingName_NeedsOverwrite()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-http-overwrite", withApp: false);
        await SendAsync(jobs, HttpMethod.Post, "daily", """{"schedule": "@daily"}""");

        var (refused, _) = await SendAsync(jobs, HttpMethod.Post, "daily", """{"schedule": "@hourly"}""");
        var (accepted, _) = await SendAsync(jobs, HttpMethod.Post, "daily", """{"schedule": "@hourly", "overwrite": true}""");
        var (_, body) = await SendAsync(jobs, HttpMethod.Get, "daily");

        Assert.Equal(HttpStatusCode.InternalServerError, refused);
        Assert.Equal(HttpStatusCode.NoContent, accepted);
        Assert.Contains("@hourly", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpDelete_Scheduled_RemovesIt()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-http-delete", withApp: false);
        await SendAsync(jobs, HttpMethod.Post, "temp", """{"dueTime": "1h"}""");

        var (deleted, _) = await SendAsync(jobs, HttpMethod.Delete, "temp");

        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.False(await jobs.ExistsAsync("temp"));
    }

    [Fact]
    public async Task HttpSchedule_FailurePolicyInProtoNames_IsApplied()
    {
        await using var jobs = await JobsHarness.StartAsync("jobs-http-policy", jobStatus: _ => StatusCodes.Status500InternalServerError);

        var (status, _) = await SendAsync(jobs, HttpMethod.Post, "retry-once", """{"dueTime": "0s", "failure_policy": {"constant": {"max_retries": 1, "interval": "0.1s"}}}""");
        await jobs.WaitUntilGoneAsync("retry-once", Timeout);

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(2, jobs.Triggers("retry-once"));
    }
}
