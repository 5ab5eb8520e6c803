using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Orders.Domain;

namespace Orders.Ordering;

/// <summary>
/// The manual review of a large choreographed order (the orchestrated saga takes its review at order-saga).
/// Approval lets payments charge the order (OrderReviewed); rejection cancels it (OrderCancelled "rejected in
/// review", inventory releases the stock). The event goes out in the one outbox transaction of the order's change.
/// </summary>
public static class ReviewApi
{
    public static RouteGroupBuilder MapReviewApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/orders").WithTags("Orders");
        group.MapPost("{orderId}/review", ReviewOrderAsync).WithName("ReviewOrder")
            .WithSummary("A reviewer approves or rejects a choreographed order that waits for review (idempotent; the other decision afterwards → 409).");
        return group;
    }

    internal static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> ReviewOrderAsync(
        string orderId,
        ReviewOrderRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpResponse response,
        OrderStore orders,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(orderId, "D", out _))
        {
            return NotFound(orderId);
        }

        var verdict = new ReviewVerdict(request.Approved, request.Reviewer.Trim(), string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim());
        var outcome = await orders.WriteAsync<Outcome>(
            orderId,
            (document, now) =>
            {
                if (document is not { Order.IsPlaced: true })
                {
                    return new WriteDecision<Outcome>.Answer(new Outcome.NotFound());
                }

                if (ifMatch is not null && !ifMatch.Split(',', StringSplitOptions.TrimEntries).Any(tag => tag == "*" || tag == document.Order.HttpETag()))
                {
                    return new WriteDecision<Outcome>.Answer(new Outcome.PreconditionFailed(document.Order));
                }

                return ReviewRules.Decide(document.Order, verdict, now) switch
                {
                    TransitionResult.Changed changed => new WriteDecision<Outcome>.Commit(changed.Change, null, new Outcome.Done(changed.Change.Order)),
                    TransitionResult.AlreadyDone done => new WriteDecision<Outcome>.Answer(new Outcome.Done(done.Order)),
                    TransitionResult.Refused refused => new WriteDecision<Outcome>.Answer(new Outcome.Conflict(refused.Reason)),
                    var other => throw new InvalidOperationException($"unexpected review decision {other}"),
                };
            },
            beforeCommit: null,
            cancellationToken);

        switch (outcome)
        {
            case Outcome.Done done:
                response.Headers.ETag = done.Order.HttpETag();
                return TypedResults.Ok(done.Order.ToResponse());
            case Outcome.PreconditionFailed failed:
                response.Headers.ETag = failed.Current.HttpETag();
                return TypedResults.Problem(
                    $"If-Match does not match the order's current version {failed.Current.HttpETag()}.",
                    statusCode: StatusCodes.Status412PreconditionFailed, title: "Order changed");
            case Outcome.Conflict conflict:
                return TypedResults.Problem(conflict.Reason, statusCode: StatusCodes.Status409Conflict, title: "Order not reviewable");
            default:
                return NotFound(orderId);
        }
    }

    private static ProblemHttpResult NotFound(string orderId) =>
        TypedResults.Problem($"No order {orderId}.", statusCode: StatusCodes.Status404NotFound, title: "Order not found");

    private abstract record Outcome
    {
        public sealed record Done(Order Order) : Outcome;

        public sealed record NotFound : Outcome;

        public sealed record PreconditionFailed(Order Current) : Outcome;

        public sealed record Conflict(string Reason) : Outcome;
    }
}
