using System.ComponentModel.DataAnnotations;
using Orders.Domain;

namespace Orders.Ordering;

/// <summary>The body of <c>POST /orders</c>.</summary>
public sealed record PlaceOrderRequest(
    [property: Required, RegularExpression(OrderPatterns.CustomerId)] string CustomerId,
    [property: Required] IReadOnlyList<PlaceOrderLine> Lines,
    SagaMode? SagaMode = null);

public sealed record PlaceOrderLine(
    [property: Required, RegularExpression(OrderPatterns.Sku)] string Sku,
    [property: Range(1, int.MaxValue)] int Quantity);

/// <summary>The body of <c>POST /orders/{id}/cancel</c>.</summary>
public sealed record CancelOrderRequest(
    [property: Required, StringLength(OrderDecisions.MaxReasonLength, MinimumLength = 1)] string Reason);

/// <summary>The optional body of <c>POST /orders/{id}/cancellation</c>.</summary>
public sealed record RequestCancellationRequest([property: StringLength(OrderDecisions.MaxReasonLength)] string? Reason = null)
{
    public const string DefaultReason = "Cancelled by the customer";
}

/// <summary>The body of <c>POST /orders/{id}/review</c> (a choreographed order that waits for a manual review).</summary>
public sealed record ReviewOrderRequest(
    bool Approved,
    [property: Required, StringLength(ReviewRules.MaxReviewerLength, MinimumLength = 1)] string Reviewer,
    [property: StringLength(OrderDecisions.MaxReasonLength)] string? Reason = null);

/// <summary>The review of an order: status, deadline and, once decided, who decided and why.</summary>
public sealed record OrderReviewResponse(ReviewStatus Status, DateTimeOffset Deadline, string? Reviewer, string? Reason, DateTimeOffset? DecidedAt);

public sealed record OrderLineResponse(string Sku, string ProductName, int Quantity, decimal UnitPrice, decimal LineTotal);

public sealed record OrderResponse(
    string OrderId,
    string CustomerId,
    OrderStatus Status,
    SagaMode SagaMode,
    IReadOnlyList<OrderLineResponse> Lines,
    string Currency,
    decimal Total,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PlacedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    DateTimeOffset? CancellationRequestedAt = null,
    OrderReviewResponse? Review = null);

/// <summary>A page of a customer's orders, newest first; pass <see cref="ContinuationToken"/> back for the next page.</summary>
public sealed record OrderPage(IReadOnlyList<OrderResponse> Items, string? ContinuationToken);

public static class OrderPatterns
{
    /// <summary>Safe in state keys (no "||") and in URLs.</summary>
    public const string CustomerId = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$";

    public const string Sku = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

    public const int MaxIdempotencyKeyLength = 200;
}

internal static class OrderMapping
{
    public static OrderResponse ToResponse(this Order order) => new(
        order.OrderId, order.CustomerId, order.Status, order.SagaMode,
        [.. order.Lines.Select(l => new OrderLineResponse(l.Sku, l.ProductName, l.Quantity, l.UnitPrice, l.LineTotal))],
        order.Currency, order.Total, order.Version, order.CreatedAt, order.PlacedAt, order.ConfirmedAt, order.CancelledAt,
        order.CancellationReason, order.CancellationRequestedAt,
        order.Review is { } review ? new OrderReviewResponse(review.Status, review.Deadline, review.Reviewer, review.Comment, review.DecidedAt) : null);

    public static PlaceOrder ToCommand(this PlaceOrderRequest request) =>
        new(request.CustomerId, [.. request.Lines.Select(l => new RequestedLine(l.Sku, l.Quantity))], request.SagaMode ?? SagaMode.Orchestration);

    /// <summary>The HTTP ETag of an order: its aggregate version (the same on every store, unlike the store's ETag).</summary>
    public static string HttpETag(this Order order) => $"\"{order.Version}\"";
}
