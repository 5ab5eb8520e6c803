using Microsoft.AspNetCore.Http.HttpResults;
using Orders.Domain;

namespace Orders.Ordering;

/// <summary>
/// Where the Scheduler delivers a review deadline (<c>POST /job/{name}</c>, contract §7.1): an order still awaiting
/// its review is cancelled as expired (OrderCancelled "review expired"); anything else is left alone, so a job
/// that fires twice or after the decision changes nothing. 200 = done; 404 (an unknown job) also counts as done
/// for daprd; a failure (5xx) is retried by the job's failure policy.
/// </summary>
public static class ReviewDeadlineJobApi
{
    public static RouteGroupBuilder MapReviewDeadlineJobApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/job").WithTags("Jobs").ExcludeFromDescription();
        group.MapPost("{jobName}", ExpireReviewAsync);
        return group;
    }

    internal static async Task<Results<Ok, NotFound>> ExpireReviewAsync(
        string jobName, OrderStore orders, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(ReviewDeadlineJobApi).FullName!);
        if (ReviewDeadlines.OrderIdOf(jobName) is not { } orderId)
        {
            logger.ReviewDeadlineIgnored(jobName, "not a review deadline job");
            return TypedResults.NotFound();
        }

        var outcome = await orders.WriteAsync<string>(
            orderId,
            (document, now) => document is not { Order.IsPlaced: true }
                // A claim that never got placed has no review to expire.
                ? new WriteDecision<string>.Answer("no placed order")
                : ReviewRules.Expire(document.Order, now) switch
                {
                    TransitionResult.Changed changed => new WriteDecision<string>.Commit(changed.Change, null, "review expired, order cancelled"),
                    TransitionResult.AlreadyDone done => new WriteDecision<string>.Answer(
                        $"nothing to expire: order {done.Order.Status}, review {done.Order.Review?.Status.ToString() ?? "none"}"),
                    var other => throw new InvalidOperationException($"unexpected expiry decision {other}"),
                },
            beforeCommit: null,
            cancellationToken);
        logger.ReviewDeadlineFired(orderId, outcome);
        return TypedResults.Ok();
    }
}
