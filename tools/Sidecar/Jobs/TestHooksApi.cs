using Microsoft.AspNetCore.Http.HttpResults;
using Sidecar.Bindings;

namespace Sidecar.Jobs;

/// <summary>
/// Sidecar-only test extension (not in daprd): fire a job or a cron binding now, so tests need not wait for the
/// schedule. Lives under <c>/v1.0-test</c> on the HTTP port and needs the API token like every other API.
/// </summary>
public static class TestHooksApi
{
    public const string Prefix = "/v1.0-test";

    public static RouteGroupBuilder MapSidecarTestHooks(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Prefix);
        group.MapPost("/jobs/{name}/trigger", TriggerJob);
        group.MapPost("/bindings/{name}/trigger", TriggerBinding);
        return group;
    }

    /// <returns>204 when the app took it (2xx or 404), 404 for an unknown job, 409 while it is firing, 502 when the failure policy gave up.</returns>
    private static async Task<Results<NoContent, ProblemHttpResult>> TriggerJob(string name, JobScheduler scheduler, CancellationToken cancellationToken) =>
        await scheduler.TriggerNowAsync(name, cancellationToken) switch
        {
            TriggerOutcome.Delivered => TypedResults.NoContent(),
            TriggerOutcome.NotFound => TypedResults.Problem($"job '{name}' does not exist", statusCode: StatusCodes.Status404NotFound),
            TriggerOutcome.Busy => TypedResults.Problem($"job '{name}' is being triggered right now", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.Problem($"job '{name}' was not accepted by the app; its failure policy gave up", statusCode: StatusCodes.Status502BadGateway),
        };

    /// <returns>204 when the app answered 2xx, 404 for an unknown binding, 409 when the app does not listen, 502 otherwise.</returns>
    private static async Task<Results<NoContent, ProblemHttpResult>> TriggerBinding(string name, CronBindings bindings, CancellationToken cancellationToken) =>
        await bindings.TriggerNowAsync(name, cancellationToken) switch
        {
            CronTriggerOutcome.Delivered => TypedResults.NoContent(),
            CronTriggerOutcome.NotFound => TypedResults.Problem($"cron binding '{name}' does not exist", statusCode: StatusCodes.Status404NotFound),
            CronTriggerOutcome.NotListening => TypedResults.Problem($"the app does not listen on cron binding '{name}'", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.Problem($"the app did not accept cron binding '{name}'", statusCode: StatusCodes.Status502BadGateway),
        };
}
