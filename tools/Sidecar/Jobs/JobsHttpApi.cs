using System.Text.Json;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Sidecar.Jobs;

/// <summary>
/// daprd's HTTP Jobs API (<c>/v1.0-alpha1/jobs/{name}</c>, docs "Jobs API reference"): the JSON form of the gRPC calls.
/// <c>data</c> is any JSON value, stored as a packed <c>google.protobuf.Value</c>, so the trigger delivers it as JSON.
/// Errors use daprd's codes: 400 for what gRPC calls InvalidArgument, 500 for the rest (an unknown job included).
/// </summary>
public static class JobsHttpApi
{
    public static RouteGroupBuilder MapSidecarJobsHttpApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1.0-alpha1/jobs");
        group.MapPost("/{name}", ScheduleAsync);
        group.MapGet("/{name}", GetAsync);
        group.MapDelete("/{name}", DeleteAsync);
        return group;
    }

    private static async Task<Results<NoContent, JsonHttpResult<ErrorBody>>> ScheduleAsync(string name, HttpRequest request, JobsApi jobs, CancellationToken cancellationToken)
    {
        ScheduleJobRequest schedule;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            schedule = ToRequest(name, body.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidProtocolBufferException or FormatException or InvalidOperationException)
        {
            return Error(StatusCodes.Status400BadRequest, "DAPR_SCHEDULER_SCHEDULE_JOB", $"failed to parse the job: {ex.Message}");
        }

        return await CallAsync(() => jobs.ScheduleAsync(schedule, cancellationToken), _ => TypedResults.NoContent(), "DAPR_SCHEDULER_SCHEDULE_JOB");
    }

    private static Task<Results<JsonHttpResult<JsonElement>, JsonHttpResult<ErrorBody>>> GetAsync(string name, JobsApi jobs, CancellationToken cancellationToken) =>
        CallAsync(() => jobs.GetAsync(new GetJobRequest { Name = name }, cancellationToken), response => TypedResults.Json(ToJson(response.Job)), "DAPR_SCHEDULER_GET_JOB");

    private static Task<Results<NoContent, JsonHttpResult<ErrorBody>>> DeleteAsync(string name, JobsApi jobs, CancellationToken cancellationToken) =>
        CallAsync(() => jobs.DeleteAsync(new DeleteJobRequest { Name = name }, cancellationToken), _ => TypedResults.NoContent(), "DAPR_SCHEDULER_DELETE_JOB");

    /// <summary>Reads the body like daprd's protojson decoding of JobHTTPRequest (camelCase or proto names).</summary>
    internal static ScheduleJobRequest ToRequest(string name, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the body must be a JSON object");
        }

        if (Property(body, "name") is { ValueKind: JsonValueKind.String } inBody && inBody.GetString()!.Trim().Length > 0)
        {
            // daprd: "Set the job name in the url only".
            throw new FormatException("set the job name in the url only");
        }

        var job = new Job { Name = name };
        if (Property(body, "schedule") is { } schedule)
        {
            job.Schedule = schedule.GetString()!;
        }

        if (Property(body, "dueTime", "due_time") is { } dueTime)
        {
            job.DueTime = dueTime.GetString()!;
        }

        if (Property(body, "ttl") is { } ttl)
        {
            job.Ttl = ttl.GetString()!;
        }

        if (Property(body, "repeats") is { } repeats)
        {
            job.Repeats = repeats.GetUInt32();
        }

        if (Property(body, "data") is { } data)
        {
            job.Data = Any.Pack(JsonParser.Default.Parse<Value>(data.GetRawText()));
        }

        if (Property(body, "failurePolicy", "failure_policy") is { } policy)
        {
            job.FailurePolicy = JsonParser.Default.Parse<JobFailurePolicy>(policy.GetRawText());
        }

        var overwrite = Property(body, "overwrite") is { } flag && flag.GetBoolean();
        return new ScheduleJobRequest { Job = job, Overwrite = overwrite };
    }

    /// <summary>The job as daprd's GET shows it: its fields in camelCase and data as the JSON it was given.</summary>
    internal static JsonElement ToJson(Job job)
    {
        var fields = new Dictionary<string, object?> { ["name"] = job.Name };
        if (job.HasSchedule)
        {
            fields["schedule"] = job.Schedule;
        }

        if (job.HasRepeats)
        {
            fields["repeats"] = job.Repeats;
        }

        if (job.HasDueTime)
        {
            fields["dueTime"] = job.DueTime;
        }

        if (job.HasTtl)
        {
            fields["ttl"] = job.Ttl;
        }

        if (job.Data is not null)
        {
            var bytes = JobScheduler.TriggerBody(job.Data);
            fields["data"] = JsonSerializer.Deserialize<JsonElement>(IsJson(bytes) ? bytes : JsonSerializer.SerializeToUtf8Bytes(job.Data.Value.ToStringUtf8()));
        }

        if (job.FailurePolicy is not null)
        {
            fields["failurePolicy"] = JsonSerializer.Deserialize<JsonElement>(JsonFormatter.Default.Format(job.FailurePolicy));
        }

        return JsonSerializer.SerializeToElement(fields);
    }

    private static bool IsJson(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            return false; // A raw, non-JSON payload of a gRPC-scheduled job: shown as a string.
        }
    }

    private static JsonElement? Property(JsonElement body, params string[] names)
    {
        foreach (var name in names)
        {
            if (body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                return value;
            }
        }

        return null;
    }

    private static async Task<Results<TOk, JsonHttpResult<ErrorBody>>> CallAsync<TResponse, TOk>(Func<Task<TResponse>> call, Func<TResponse, TOk> ok, string errorCode)
        where TOk : IResult
    {
        try
        {
            return ok(await call());
        }
        catch (RpcException ex)
        {
            var status = ex.StatusCode switch
            {
                StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status500InternalServerError,
            };
            return Error(status, errorCode, ex.Status.Detail);
        }
    }

    private static JsonHttpResult<ErrorBody> Error(int status, string errorCode, string message) =>
        TypedResults.Json(new ErrorBody(errorCode, message), statusCode: status);

    /// <summary>daprd's HTTP error body.</summary>
    public sealed record ErrorBody(string ErrorCode, string Message);
}
