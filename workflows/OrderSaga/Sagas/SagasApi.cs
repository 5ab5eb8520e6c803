using System.Text.RegularExpressions;
using Dapr.Workflow;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderSaga.Domain;
using OrderSaga.Workflows;

namespace OrderSaga.Sagas;

/// <summary>Start a saga (the orders fast path), read its status and history, and decide a manual review.</summary>
public static class SagasApi
{
    public static RouteGroupBuilder MapSagasApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sagas").WithTags("Sagas");
        group.MapPost("", StartAsync).WithName("StartSaga")
            .WithSummary("Starts the saga of a placed order (idempotent: an existing saga is left alone).");
        group.MapGet("{orderId}", GetAsync).WithName("GetSaga")
            .WithSummary("The saga's status (running, completed, compensated, needs-repair), current step, reason and history.");
        group.MapPost("{orderId}/cancellation", StartCancellationAsync).WithName("StartCancellation")
            .WithSummary("Starts the cancellation workflow of a confirmed order the customer cancelled (idempotent: an existing one is left alone).");
        group.MapGet("{orderId}/cancellation", GetCancellationAsync).WithName("GetCancellation")
            .WithSummary("The cancellation workflow's status (running, completed, needs-repair), current step and history.");
        group.MapPost("{orderId}/review", ReviewAsync).WithName("ReviewOrder")
            .WithSummary("Approves or rejects a large order that waits for a manual review.");
        return group;
    }

    internal static async Task<Accepted<StartSagaResponse>> StartAsync(StartSagaRequest request, SagaStarter starter, CancellationToken cancellationToken)
    {
        var started = await starter.StartAsync(request.ToSnapshot(), "fast path", cancellationToken);
        return TypedResults.Accepted($"/sagas/{request.OrderId}", new StartSagaResponse(request.OrderId, started));
    }

    internal static async Task<Results<Ok<SagaStatusResponse>, ProblemHttpResult>> GetAsync(
        string orderId, DaprWorkflowClient workflows, CancellationToken cancellationToken)
    {
        if (!Regex.IsMatch(orderId, SagaPatterns.Id))
        {
            return NotFound(orderId);
        }

        var state = await workflows.GetWorkflowStateAsync(orderId, getInputsAndOutputs: true, cancellationToken);
        return state is { Exists: true } ? TypedResults.Ok(ToResponse(orderId, state)) : NotFound(orderId);
    }

    internal static async Task<Results<Accepted<StartSagaResponse>, ProblemHttpResult>> StartCancellationAsync(
        string orderId, StartCancellationRequest request, SagaStarter starter, CancellationToken cancellationToken)
    {
        if (!Regex.IsMatch(orderId, SagaPatterns.Id))
        {
            return NotFound(orderId);
        }

        var started = await starter.StartCancellationAsync(request.ToCancellation(orderId), "fast path", cancellationToken);
        return TypedResults.Accepted($"/sagas/{orderId}/cancellation", new StartSagaResponse(orderId, started));
    }

    internal static async Task<Results<Ok<SagaStatusResponse>, ProblemHttpResult>> GetCancellationAsync(
        string orderId, DaprWorkflowClient workflows, CancellationToken cancellationToken)
    {
        if (!Regex.IsMatch(orderId, SagaPatterns.Id))
        {
            return NotFound(orderId);
        }

        var state = await workflows.GetWorkflowStateAsync(SagaRules.CancellationInstanceId(orderId), getInputsAndOutputs: true, cancellationToken);
        return state is { Exists: true }
            ? TypedResults.Ok(ToResponse(orderId, state))
            : TypedResults.Problem($"No cancellation saga for order {orderId}.", statusCode: StatusCodes.Status404NotFound, title: "Saga not found");
    }

    internal static async Task<Results<Accepted, ProblemHttpResult>> ReviewAsync(
        string orderId, ReviewRequest request, DaprWorkflowClient workflows, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!Regex.IsMatch(orderId, SagaPatterns.Id)
            || await workflows.GetWorkflowStateAsync(orderId, getInputsAndOutputs: true, cancellationToken) is not { Exists: true } state)
        {
            return NotFound(orderId);
        }

        var input = state.ReadInputAs<FulfillmentInput>();
        var progress = state.ReadCustomStatusAs<SagaProgress>();
        var waits = state.IsWorkflowRunning
            && input is not null && SagaRules.NeedsReview(input.Order.Total, input.Settings.ReviewAbove)
            && progress?.History.Any(h => h.Step == SagaStep.AwaitReview && h.Outcome != "started") != true
            && progress?.State != SagaState.Compensating;
        if (!waits)
        {
            return TypedResults.Problem(
                $"The saga of order {orderId} does not wait for a review (it does not need one, or it is past that step).",
                statusCode: StatusCodes.Status409Conflict, title: "No review pending");
        }

        await workflows.RaiseEventAsync(orderId, OrderFulfillmentWorkflow.ReviewEvent, new ReviewDecision(request.Approved, request.Reviewer), cancellationToken);
        loggers.CreateLogger(typeof(SagasApi).FullName!).ReviewRaised(orderId, request.Approved);
        return TypedResults.Accepted($"/sagas/{orderId}");
    }

    private static SagaStatusResponse ToResponse(string orderId, WorkflowState state)
    {
        var finished = state.RuntimeStatus == WorkflowRuntimeStatus.Completed ? state.ReadOutputAs<SagaProgress>() : null;
        var progress = finished ?? state.ReadCustomStatusAs<SagaProgress>();
        var errors = progress?.Errors.ToList() ?? [];
        string status;
        if (state.RuntimeStatus is WorkflowRuntimeStatus.Failed or WorkflowRuntimeStatus.Terminated or WorkflowRuntimeStatus.Canceled or WorkflowRuntimeStatus.Stalled)
        {
            // The workflow itself stopped before it could finish its compensations: visible, for repair.
            errors.Add($"workflow {state.RuntimeStatus}: {state.FailureDetails?.ErrorMessage ?? "no details"}");
            status = "needs-repair";
        }
        else
        {
            status = finished?.State.ToApiStatus() ?? "running";
        }

        return new SagaStatusResponse(
            orderId, status, progress?.State, progress?.Step, progress?.Reason, errors, progress?.History ?? [],
            state.RuntimeStatus.ToString(), state.CreatedAt, state.LastUpdatedAt);
    }

    private static ProblemHttpResult NotFound(string orderId) =>
        TypedResults.Problem($"No saga for order {orderId}.", statusCode: StatusCodes.Status404NotFound, title: "Saga not found");
}
