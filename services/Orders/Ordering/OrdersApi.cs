using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Orders.Domain;
using Orders.Replica;

namespace Orders.Ordering;

/// <summary>Orders: place (idempotent by key), read, list by customer, and the saga's confirm/cancel operations.</summary>
public static class OrdersApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";

    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/orders").WithTags("Orders");
        group.MapPost("", PlaceOrderAsync).WithName("PlaceOrder")
            .WithSummary("Places an order; the Idempotency-Key header makes retries safe (same key + body → the first response again).");
        group.MapGet("{orderId}", GetOrderAsync).WithName("GetOrder").WithSummary("An order, with its version as ETag.");
        group.MapGet("", ListOrdersAsync).WithName("ListOrders").WithSummary("A customer's orders, newest first, a page at a time.");
        group.MapPost("{orderId}/confirm", ConfirmOrderAsync).WithName("ConfirmOrder").WithSummary("Confirms a placed order (idempotent).");
        group.MapPost("{orderId}/cancel", CancelOrderAsync).WithName("CancelOrder")
            .WithSummary("The saga's cancel: cancels a placed order, or completes a customer cancellation (idempotent).");
        group.MapPost("{orderId}/cancellation", RequestCancellationAsync).WithName("RequestOrderCancellation")
            .WithSummary("The customer cancels a confirmed order: 202 while refund, restock and credit revocation run, 200 once it is cancelled (idempotent).");
        return group;
    }

    internal static async Task<Results<Created<OrderResponse>, ValidationProblem, ProblemHttpResult>> PlaceOrderAsync(
        PlaceOrderRequest request,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        HttpResponse response,
        OrderStore orders,
        CustomerOrderIndex index,
        PriceReplica replica,
        SagaFastPath sagaFastPath,
        ReviewDeadlines reviewDeadlines,
        IOptions<OrdersOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > OrderPatterns.MaxIdempotencyKeyLength)
        {
            return TypedResults.Problem(
                $"The {IdempotencyKeyHeader} header is required (1 to {OrderPatterns.MaxIdempotencyKeyLength} characters): it makes a retried request safe.",
                statusCode: StatusCodes.Status400BadRequest, title: "Idempotency key required");
        }

        var command = request.ToCommand();
        var errors = command.Validate(options.Value.MaxLinesPerOrder, options.Value.MaxQuantityPerLine);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var logger = loggers.CreateLogger(typeof(OrdersApi).FullName!);
        var orderId = OrderIds.Derive(command.CustomerId, idempotencyKey);
        var fingerprint = command.Fingerprint();
        // Priced before the decision, from the local replica only; a replay ignores it (the stored response wins).
        var pricing = Pricing.Price(command.Lines, await replica.GetAsync([.. command.Lines.Select(l => l.Sku)], cancellationToken));
        var outcome = await orders.WriteAsync(
            orderId,
            (document, now) => DecidePlacement(document, now, orderId, command, fingerprint, pricing, options.Value.ReviewPolicy),
            async (order, token) =>
            {
                await index.AddAsync(order.CustomerId, order.OrderId, order.CreatedAt, token);
                // Ahead of the commit, like the index: a placed order awaiting review always has its deadline. A
                // deadline whose order never got placed fires into nothing.
                if (order.Review is { Status: ReviewStatus.Awaiting } review)
                {
                    await reviewDeadlines.ScheduleAsync(order.OrderId, review.Deadline, token);
                }
            },
            cancellationToken);

        switch (outcome)
        {
            case PlaceOutcome.Placed placed:
                logger.OrderPlaced(orderId, command.CustomerId, placed.Response.Lines.Count, placed.Response.Total, placed.Response.Currency);
                response.Headers.ETag = $"\"{placed.Response.Version}\"";
                await sagaFastPath.StartSagaAsync(placed.Response, cancellationToken);
                return TypedResults.Created($"/orders/{orderId}", placed.Response);
            case PlaceOutcome.Replayed replayed:
                logger.OrderReplayed(orderId);
                response.Headers[ReplayedHeader] = "true";
                response.Headers.ETag = $"\"{replayed.Response.Version}\"";
                return TypedResults.Created($"/orders/{orderId}", replayed.Response);
            case PlaceOutcome.KeyReused:
                logger.IdempotencyKeyReused(orderId);
                return TypedResults.Problem(
                    $"The {IdempotencyKeyHeader} was already used by this customer with a different request body.",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused");
            case PlaceOutcome.Refused { Pricing: PricingResult.UnavailableProducts unavailable }:
                logger.OrderRefused(orderId, "unknown or inactive products");
                return TypedResults.Problem(
                    $"These products cannot be ordered: {string.Join(", ", unavailable.Unknown.Concat(unavailable.Inactive))}.",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Products not available",
                    extensions: new Dictionary<string, object?> { ["unknownSkus"] = unavailable.Unknown, ["inactiveSkus"] = unavailable.Inactive });
            case PlaceOutcome.Refused { Pricing: PricingResult.MixedCurrencies mixed }:
                logger.OrderRefused(orderId, "lines in different currencies");
                return TypedResults.Problem(
                    "The lines are priced in different currencies; an order has one currency.",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Mixed currencies",
                    extensions: new Dictionary<string, object?> { ["currencies"] = mixed.CurrencyBySku });
            default:
                throw new InvalidOperationException($"unexpected placement outcome {outcome}");
        }
    }

    internal static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetOrderAsync(
        string orderId, HttpResponse response, OrderStore orders, CancellationToken cancellationToken)
    {
        if (!IsOrderId(orderId) || await orders.GetAsync(orderId, cancellationToken) is not { Order.IsPlaced: true } document)
        {
            return NotFound(orderId);
        }

        response.Headers.ETag = document.Order.HttpETag();
        return TypedResults.Ok(document.Order.ToResponse());
    }

    internal static async Task<Results<Ok<OrderPage>, ValidationProblem>> ListOrdersAsync(
        [FromQuery] string? customerId,
        [FromQuery] int? pageSize,
        [FromQuery] string? continuationToken,
        OrderStore orders,
        CustomerOrderIndex index,
        IOptions<OrdersOptions> options,
        CancellationToken cancellationToken)
    {
        var size = pageSize ?? options.Value.DefaultPageSize;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(customerId) || !System.Text.RegularExpressions.Regex.IsMatch(customerId, OrderPatterns.CustomerId))
        {
            errors["customerId"] = ["A valid customerId is required."];
        }

        if (size < 1 || size > options.Value.MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize is between 1 and {options.Value.MaxPageSize}."];
        }

        var after = continuationToken is null ? null : DecodeToken(continuationToken);
        if (continuationToken is not null && after is null)
        {
            errors["continuationToken"] = ["The continuation token is not one this service issued."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var entries = (await index.GetAsync(customerId!, cancellationToken))?.Orders ?? [];
        var start = 0;
        if (after is not null)
        {
            var anchor = entries.ToList().FindIndex(e => e.OrderId == after);
            if (anchor < 0)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["continuationToken"] = ["The continuation token does not belong to this customer."] });
            }

            start = anchor + 1;
        }

        // The index is a superset (written ahead of the order): keep only entries whose order is placed.
        var items = new List<OrderResponse>();
        var position = start;
        while (items.Count < size && position < entries.Count)
        {
            var chunk = entries.Skip(position).Take(size - items.Count).Select(e => e.OrderId).ToList();
            var found = (await orders.GetManyAsync(chunk, cancellationToken)).Where(d => d.Order.IsPlaced)
                .ToDictionary(d => d.Order.OrderId, d => d.Order, StringComparer.Ordinal);
            items.AddRange(chunk.Where(found.ContainsKey).Select(id => found[id].ToResponse()));
            position += chunk.Count;
        }

        var next = position < entries.Count && position > 0 ? EncodeToken(entries[position - 1].OrderId) : null;
        return TypedResults.Ok(new OrderPage(items, next));
    }

    internal static Task<Results<Ok<OrderResponse>, ProblemHttpResult>> ConfirmOrderAsync(
        string orderId,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpResponse response,
        OrderStore orders,
        CancellationToken cancellationToken) =>
        TransitionAsync(orderId, ifMatch, response, orders, (order, now) => OrderDecisions.Confirm(order, now), cancellationToken);

    internal static Task<Results<Ok<OrderResponse>, ProblemHttpResult>> CancelOrderAsync(
        string orderId,
        CancelOrderRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpResponse response,
        OrderStore orders,
        CancellationToken cancellationToken) =>
        TransitionAsync(orderId, ifMatch, response, orders, (order, now) => OrderDecisions.Cancel(order, request.Reason, now), cancellationToken);

    private static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> TransitionAsync(
        string orderId,
        string? ifMatch,
        HttpResponse response,
        OrderStore orders,
        Func<Order, DateTimeOffset, TransitionResult> transition,
        CancellationToken cancellationToken)
    {
        if (!IsOrderId(orderId))
        {
            return NotFound(orderId);
        }

        var outcome = await orders.WriteAsync<TransitionOutcome>(
            orderId,
            (document, now) =>
            {
                if (document is not { Order.IsPlaced: true })
                {
                    return new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.NotFound());
                }

                if (!IfMatches(ifMatch, document.Order))
                {
                    return new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.PreconditionFailed(document.Order));
                }

                return transition(document.Order, now) switch
                {
                    TransitionResult.Changed changed => new WriteDecision<TransitionOutcome>.Commit(changed.Change, null, new TransitionOutcome.Done(changed.Change.Order)),
                    TransitionResult.AlreadyDone done => new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.Done(done.Order)),
                    TransitionResult.Refused refused => new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.Conflict(refused.Reason)),
                    TransitionResult.NeedsCompensation needs => new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.Conflict(
                        $"Order {needs.Order.OrderId} is confirmed; cancelling it needs a refund, a restock and the credit revoked: POST /orders/{needs.Order.OrderId}/cancellation.")),
                    var other => throw new InvalidOperationException($"unexpected transition {other}"),
                };
            },
            beforeCommit: null,
            cancellationToken);

        switch (outcome)
        {
            case TransitionOutcome.Done done:
                response.Headers.ETag = done.Order.HttpETag();
                return TypedResults.Ok(done.Order.ToResponse());
            case TransitionOutcome.PreconditionFailed failed:
                response.Headers.ETag = failed.Current.HttpETag();
                return TypedResults.Problem(
                    $"If-Match does not match the order's current version {failed.Current.HttpETag()}.",
                    statusCode: StatusCodes.Status412PreconditionFailed, title: "Order changed");
            case TransitionOutcome.Conflict conflict:
                return TypedResults.Problem(conflict.Reason, statusCode: StatusCodes.Status409Conflict, title: "Order state conflict");
            default:
                return NotFound(orderId);
        }
    }

    /// <summary>
    /// The customer's cancellation of a confirmed order. The order becomes Cancelling together with
    /// OrderCancellationRequested in one outbox transaction, so the compensations cannot be lost: order-saga (an
    /// orchestrated order) or payments and inventory (a choreographed one) start from that event. 202 while they run
    /// (a repeat too, nothing written again), 200 once Cancelled, 409 for an order still being fulfilled.
    /// </summary>
    internal static async Task<Results<Accepted<OrderResponse>, Ok<OrderResponse>, ProblemHttpResult>> RequestCancellationAsync(
        string orderId,
        RequestCancellationRequest? request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        HttpResponse response,
        OrderStore orders,
        SagaFastPath sagaFastPath,
        CancellationToken cancellationToken)
    {
        if (!IsOrderId(orderId))
        {
            return NotFound(orderId);
        }

        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? RequestCancellationRequest.DefaultReason : request.Reason.Trim();
        var outcome = await orders.WriteAsync<TransitionOutcome>(
            orderId,
            (document, now) =>
            {
                if (document is not { Order.IsPlaced: true })
                {
                    return new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.NotFound());
                }

                if (!IfMatches(ifMatch, document.Order))
                {
                    return new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.PreconditionFailed(document.Order));
                }

                return OrderDecisions.RequestCancellation(document.Order, reason, now) switch
                {
                    TransitionResult.Changed changed => new WriteDecision<TransitionOutcome>.Commit(changed.Change, null, new TransitionOutcome.Done(changed.Change.Order)),
                    TransitionResult.AlreadyDone done => new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.Done(done.Order)),
                    TransitionResult.Refused refused => new WriteDecision<TransitionOutcome>.Answer(new TransitionOutcome.Conflict(refused.Reason)),
                    var other => throw new InvalidOperationException($"unexpected cancellation decision {other}"),
                };
            },
            beforeCommit: null,
            cancellationToken);

        switch (outcome)
        {
            case TransitionOutcome.Done { Order.Status: OrderStatus.Cancelled } cancelled:
                response.Headers.ETag = cancelled.Order.HttpETag();
                return TypedResults.Ok(cancelled.Order.ToResponse());
            case TransitionOutcome.Done cancelling:
                response.Headers.ETag = cancelling.Order.HttpETag();
                var body = cancelling.Order.ToResponse();
                // Best effort, like the placement's fast path; the event starts the cancellation saga anyway.
                await sagaFastPath.StartCancellationAsync(body, cancellationToken);
                return TypedResults.Accepted($"/orders/{orderId}", body);
            case TransitionOutcome.PreconditionFailed failed:
                response.Headers.ETag = failed.Current.HttpETag();
                return TypedResults.Problem(
                    $"If-Match does not match the order's current version {failed.Current.HttpETag()}.",
                    statusCode: StatusCodes.Status412PreconditionFailed, title: "Order changed");
            case TransitionOutcome.Conflict conflict:
                return TypedResults.Problem(conflict.Reason, statusCode: StatusCodes.Status409Conflict, title: "Order not cancellable");
            default:
                return NotFound(orderId);
        }
    }

    private static WriteDecision<PlaceOutcome> DecidePlacement(
        OrderDocument? document, DateTimeOffset now, string orderId, PlaceOrder command, string fingerprint, PricingResult pricing, ReviewPolicy review)
    {
        if (document is null)
        {
            if (pricing is not PricingResult.Priced priced)
            {
                return new WriteDecision<PlaceOutcome>.Answer(new PlaceOutcome.Refused(pricing));
            }

            var pending = OrderDecisions.Open(orderId, command, priced, now);
            var placed = OrderDecisions.Place(pending, now, review);
            return new WriteDecision<PlaceOutcome>.Commit(placed, pending, new PlaceOutcome.Placed(placed.Order.ToResponse()));
        }

        if (document.Order.RequestFingerprint != fingerprint)
        {
            return new WriteDecision<PlaceOutcome>.Answer(new PlaceOutcome.KeyReused());
        }

        if (document.Order.Status == OrderStatus.Pending)
        {
            // A claim whose writer died before committing (its lease expired): finish that very order, priced as claimed.
            var placed = OrderDecisions.Place(document.Order, now, review);
            return new WriteDecision<PlaceOutcome>.Commit(placed, null, new PlaceOutcome.Placed(placed.Order.ToResponse()));
        }

        return new WriteDecision<PlaceOutcome>.Answer(new PlaceOutcome.Replayed(document.PlacedResponse ?? document.Order.ToResponse()));
    }

    private static bool IfMatches(string? ifMatch, Order order) =>
        ifMatch is null || ifMatch.Split(',', StringSplitOptions.TrimEntries).Any(tag => tag == "*" || tag == order.HttpETag());

    private static bool IsOrderId(string orderId) => Guid.TryParseExact(orderId, "D", out _);

    private static ProblemHttpResult NotFound(string orderId) =>
        TypedResults.Problem($"No order {orderId}.", statusCode: StatusCodes.Status404NotFound, title: "Order not found");

    private static string EncodeToken(string orderId) => Convert.ToBase64String(Encoding.UTF8.GetBytes(orderId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodeToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) && Encoding.UTF8.GetString(buffer, 0, written) is var id && IsOrderId(id) ? id : null;
    }

    private abstract record PlaceOutcome
    {
        public sealed record Placed(OrderResponse Response) : PlaceOutcome;

        public sealed record Replayed(OrderResponse Response) : PlaceOutcome;

        public sealed record KeyReused : PlaceOutcome;

        public sealed record Refused(PricingResult Pricing) : PlaceOutcome;
    }

    private abstract record TransitionOutcome
    {
        public sealed record Done(Order Order) : TransitionOutcome;

        public sealed record NotFound : TransitionOutcome;

        public sealed record PreconditionFailed(Order Current) : TransitionOutcome;

        public sealed record Conflict(string Reason) : TransitionOutcome;
    }
}
