using System.Text.Json.Serialization;

namespace Orders.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<ReviewStatus>))]
public enum ReviewStatus
{
    /// <summary>Nobody decided yet; the deadline job expires it.</summary>
    Awaiting,
    Approved,
    Rejected,
    Expired,
}

/// <summary>The manual review of a large choreographed order: owned by orders, since choreography has no coordinator.</summary>
public sealed record OrderReview(
    ReviewStatus Status,
    DateTimeOffset Deadline,
    string? Reviewer = null,
    string? Comment = null,
    DateTimeOffset? DecidedAt = null)
{
    public static OrderReview Awaiting(DateTimeOffset deadline) => new(ReviewStatus.Awaiting, deadline);
}

/// <summary>
/// Which orders wait for a review and for how long: the same meaning as order-saga's OrderSaga:ReviewAbove /
/// ReviewTimeout. No threshold means no review.
/// </summary>
public sealed record ReviewPolicy(decimal? ReviewAbove, TimeSpan Timeout)
{
    /// <summary>Only choreographed orders: order-saga reviews the orchestrated ones in its workflow.</summary>
    public bool Requires(Order order) =>
        order.SagaMode == SagaMode.Choreography && ReviewAbove is { } limit && order.Total > limit;
}

/// <summary>A reviewer's decision on an order.</summary>
public sealed record ReviewVerdict(bool Approved, string Reviewer, string? Comment);

/// <summary>
/// The review of a choreographed order as pure decisions. Approval keeps the order Placed and lets payments charge
/// it (OrderReviewed); rejection and expiry cancel it (OrderCancelled, the reservation is released by inventory),
/// with the same reasons as the orchestrated saga's. A decision is final: the same one again is answered as
/// before, the other one is refused.
/// </summary>
public static class ReviewRules
{
    public const string RejectedReason = "rejected in review";
    public const string ExpiredReason = "review expired";
    public const int MaxReviewerLength = 100;

    public static TransitionResult Decide(Order order, ReviewVerdict verdict, DateTimeOffset now)
    {
        if (order.SagaMode != SagaMode.Choreography)
        {
            return new TransitionResult.Refused(order, $"Order {order.OrderId} runs the {order.SagaMode} saga; order-saga takes its review (POST /sagas/{order.OrderId}/review).");
        }

        if (order.Review is not { } review)
        {
            return new TransitionResult.Refused(order, $"Order {order.OrderId} needs no review.");
        }

        var wanted = verdict.Approved ? ReviewStatus.Approved : ReviewStatus.Rejected;
        if (review.Status == wanted)
        {
            return new TransitionResult.AlreadyDone(order);
        }

        if (review.Status != ReviewStatus.Awaiting)
        {
            return new TransitionResult.Refused(order, $"The review of order {order.OrderId} is already {review.Status}.");
        }

        if (order.Status != OrderStatus.Placed)
        {
            return new TransitionResult.Refused(order, $"Order {order.OrderId} is {order.Status}; there is nothing left to review.");
        }

        var decided = review with { Status = wanted, Reviewer = verdict.Reviewer, Comment = verdict.Comment, DecidedAt = now };
        return verdict.Approved
            ? new TransitionResult.Changed(new OrderChange.ReviewApproved(order with { Review = decided, Version = order.Version + 1 }))
            : new TransitionResult.Changed(Cancel(order, decided, Because(RejectedReason, verdict.Comment), now));
    }

    /// <summary>
    /// The deadline job fired: an order still awaiting its review is cancelled as expired. Anything else (decided,
    /// already cancelled, no review) is answered as done — the job may fire twice or after the decision.
    /// </summary>
    public static TransitionResult Expire(Order order, DateTimeOffset now) =>
        order is { Review.Status: ReviewStatus.Awaiting, Status: OrderStatus.Placed }
            ? new TransitionResult.Changed(Cancel(order, order.Review with { Status = ReviewStatus.Expired, DecidedAt = now }, ExpiredReason, now))
            : new TransitionResult.AlreadyDone(order);

    private static OrderChange.Cancelled Cancel(Order order, OrderReview review, string reason, DateTimeOffset now) =>
        new(order with { Status = OrderStatus.Cancelled, Version = order.Version + 1, CancelledAt = now, CancellationReason = reason, Review = review });

    private static string Because(string what, string? comment)
    {
        var text = string.IsNullOrWhiteSpace(comment) ? what : $"{what}: {comment.Trim()}";
        return text.Length <= OrderDecisions.MaxReasonLength ? text : text[..OrderDecisions.MaxReasonLength];
    }
}
