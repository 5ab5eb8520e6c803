using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Payments.Charges;
using Payments.Credit;
using Payments.Domain;
using Payments.Gateway;
using ServiceDefaults;

namespace Payments.Choreography;

/// <summary>What every event copy carries: the event's id (for the logs) and the order it is about.</summary>
public interface ISagaEventCopy
{
    string EventId { get; }

    string OrderId { get; }
}

// Our copies of the fields we read (tolerant reader; public for the contract tests): OrderPlaced, OrderReviewed,
// OrderConfirmed and OrderCancellationRequested from topic orders,
// StockReserved from topic inventory.
public sealed record OrderPlacedCopy(string EventId, string OrderId, string CustomerId, long Version, string SagaMode, decimal Total, string Currency, bool ReviewRequired = false) : ISagaEventCopy;

public sealed record OrderReviewedCopy(string EventId, string OrderId, long Version, bool Approved) : ISagaEventCopy;

/// <param name="SagaMode">Null from a producer that does not name it yet: the copy of the order tells.</param>
public sealed record OrderConfirmedCopy(string EventId, string OrderId, long Version, string? SagaMode = null) : ISagaEventCopy;

public sealed record StockReservedCopy(string EventId, string OrderId, long Version) : ISagaEventCopy;

public sealed record OrderCancellationRequestedCopy(string EventId, string OrderId, string CustomerId, long Version, string SagaMode, string? Reason = null) : ISagaEventCopy;

/// <summary>
/// The payments participant of the choreographed saga (DESIGN §3). OrderPlaced leaves a local copy of the order
/// (amount, currency, customer, saga mode); StockReserved charges a choreographed order through the same
/// idempotent charge as <c>POST /payments</c>, bounded by <c>Payments:ChargeTimeout</c> (PaymentSucceeded/PaymentFailed
/// go out through its outbox; a timeout is a PaymentFailed too, and a job settles the late outcome) — for an
/// order that waits for a manual review, only once OrderReviewed approved it too (either may come first);
/// OrderConfirmed awards floor(total) credit points through the same idempotent award as the credit API. Every
/// effect is keyed by order id, so duplicates and redeliveries change nothing twice. Subscriptions:
/// components/payments-subscriptions.yaml; unknown types answer DROP (→ the topic's dead-letter topic, logged).
/// </summary>
public static class SagaEventsApi
{
    private const string LogCategory = "Payments.Choreography";

    /// <summary>How events are read: camelCase, and a missing required field is malformed (DROP).</summary>
    public static readonly JsonSerializerOptions EventJson = IntegrationEventJson.Options;

    public static RouteGroupBuilder MapSagaEventsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/events/saga").WithTags("Events").ExcludeFromDescription();
        group.MapPost("OrderPlaced", OrderPlacedAsync);
        group.MapPost("StockReserved", StockReservedAsync);
        group.MapPost("OrderReviewed", OrderReviewedAsync);
        group.MapPost("OrderConfirmed", OrderConfirmedAsync);
        group.MapPost("OrderCancellationRequested", OrderCancellationRequestedAsync);
        group.MapPost("ignored/{eventType}", Ignore);
        group.MapPost("unrouted", DropUnrouted);
        return group;
    }

    internal static async Task<Ok<TopicStatus>> OrderPlacedAsync(
        HttpRequest request, SagaOrderStore orders, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderPlaced";
        if (await ReadValidAsync<OrderPlacedCopy>(request, type, logger, cancellationToken) is not { } placed)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (!Identifiers.IsValid(placed.CustomerId))
        {
            logger.SagaEventDropped(type, "customerId is not a valid id");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        // Kept for every mode: without it a StockReserved could not tell an orchestrated order from an early one.
        await orders.SaveAsync(
            new SagaOrder(placed.OrderId, placed.CustomerId, placed.SagaMode, placed.Total, placed.Currency, placed.Version, time.GetUtcNow(), placed.ReviewRequired),
            cancellationToken);
        logger.SagaEventHandled(type, placed.EventId, placed.OrderId, $"copy of the {placed.SagaMode} order kept");
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static async Task<Ok<TopicStatus>> StockReservedAsync(
        HttpRequest request,
        SagaOrderStore orders,
        PaymentStore payments,
        IPaymentGateway gateway,
        LateOutcomeChecks lateOutcomeChecks,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "StockReserved";
        if (await ReadValidAsync<StockReservedCopy>(request, type, logger, cancellationToken) is not { } reserved)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        var order = await orders.GetAsync(reserved.OrderId, cancellationToken);
        var gate = ChoreographyRules.AwaitsApproval(order)
            ? await orders.RecordStockReservedAsync(reserved.OrderId, time.GetUtcNow(), cancellationToken)
            : new ChargeGate(StockReserved: true, Approved: false);
        return await StepAsync(
            type, reserved.EventId, reserved.OrderId, ChoreographyRules.OnStockReserved(order, gate), payments, gateway, lateOutcomeChecks, time, options, loggers, logger, cancellationToken);
    }

    /// <summary>
    /// A reviewer approved a choreographed order that waited for review: charge it if its stock is reserved, else
    /// record the approval so that StockReserved charges it. Duplicates find the charge done (idempotent by order).
    /// </summary>
    internal static async Task<Ok<TopicStatus>> OrderReviewedAsync(
        HttpRequest request,
        SagaOrderStore orders,
        PaymentStore payments,
        IPaymentGateway gateway,
        LateOutcomeChecks lateOutcomeChecks,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderReviewed";
        if (await ReadValidAsync<OrderReviewedCopy>(request, type, logger, cancellationToken) is not { } reviewed)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        var order = await orders.GetAsync(reviewed.OrderId, cancellationToken);
        var gate = reviewed.Approved && ChoreographyRules.AwaitsApproval(order)
            ? await orders.RecordApprovedAsync(reviewed.OrderId, time.GetUtcNow(), cancellationToken)
            : new ChargeGate(StockReserved: false, Approved: reviewed.Approved);
        return await StepAsync(
            type, reviewed.EventId, reviewed.OrderId, ChoreographyRules.OnOrderReviewed(order, reviewed.Approved, gate), payments, gateway, lateOutcomeChecks, time, options, loggers, logger, cancellationToken);
    }

    private static async Task<Ok<TopicStatus>> StepAsync(
        string type,
        string eventId,
        string orderId,
        SagaStep step,
        PaymentStore payments,
        IPaymentGateway gateway,
        LateOutcomeChecks lateOutcomeChecks,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        switch (step)
        {
            case SagaStep.Wait wait:
                logger.SagaEventDeferred(type, eventId, orderId, wait.Why);
                return TypedResults.Ok(TopicStatus.Retry);
            case SagaStep.Skip skip:
                logger.SagaEventHandled(type, eventId, orderId, $"ignored: {skip.Why}");
                return TypedResults.Ok(TopicStatus.Success);
            case SagaStep.Hold hold:
                logger.SagaEventHandled(type, eventId, orderId, $"held: {hold.Why}");
                return TypedResults.Ok(TopicStatus.Success);
            case SagaStep.Charge charge:
                // Bounded by Payments:ChargeTimeout: no coordinator waits for this charge, so payments itself gives up
                // (TimedOut, PaymentFailed) and refunds a late approval; see PaymentsApi.ChargeWithDeadlineAsync.
                var result = await PaymentsApi.ChargeWithDeadlineAsync(
                    new ChargeRequest(charge.OrderId, charge.CustomerId, charge.Amount, charge.Currency), payments, gateway, lateOutcomeChecks, time, options, loggers, cancellationToken);
                return Answer(type, eventId, orderId, result.Result, logger);
            default:
                throw new InvalidOperationException("unexpected saga step");
        }
    }

    internal static async Task<Ok<TopicStatus>> OrderConfirmedAsync(
        HttpRequest request,
        SagaOrderStore orders,
        CreditStore credit,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderConfirmed";
        if (await ReadValidAsync<OrderConfirmedCopy>(request, type, logger, cancellationToken) is not { } confirmed)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        // An orchestrated order's event says so: no need to read the copy to learn it.
        switch (ChoreographyRules.SkipAnotherSaga(confirmed.SagaMode) ?? ChoreographyRules.OnOrderConfirmed(await orders.GetAsync(confirmed.OrderId, cancellationToken)))
        {
            case SagaStep.Award award:
                var result = await CreditApi.AwardAsync(
                    award.CustomerId, new AwardCreditRequest(award.OrderId, award.Points), credit, time, options, loggers, cancellationToken);
                return Answer(type, confirmed.EventId, confirmed.OrderId, result.Result, logger);
            case SagaStep.Skip skip:
                logger.SagaEventHandled(type, confirmed.EventId, confirmed.OrderId, $"ignored: {skip.Why}");
                return TypedResults.Ok(TopicStatus.Success);
            default:
                throw new InvalidOperationException("unexpected saga step");
        }
    }

    /// <summary>
    /// A customer cancelled a confirmed choreographed order: revoke its credit (the same idempotent revocation as the
    /// credit API), then refund its payment (the same idempotent refund as <c>POST /payments/{id}/refund</c>);
    /// PaymentRefunded and CreditRevoked go out through their outboxes. A redelivery finds both done and answers
    /// SUCCESS without a second effect.
    /// </summary>
    internal static async Task<Ok<TopicStatus>> OrderCancellationRequestedAsync(
        HttpRequest request,
        SagaOrderStore orders,
        CreditStore credit,
        PaymentStore payments,
        IPaymentGateway gateway,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderCancellationRequested";
        if (await ReadValidAsync<OrderCancellationRequestedCopy>(request, type, logger, cancellationToken) is not { } cancelled)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        switch (ChoreographyRules.OnOrderCancellationRequested(await orders.GetAsync(cancelled.OrderId, cancellationToken)))
        {
            case SagaStep.Skip skip:
                logger.SagaEventHandled(type, cancelled.EventId, cancelled.OrderId, $"ignored: {skip.Why}");
                return TypedResults.Ok(TopicStatus.Success);
            case SagaStep.Compensate compensate:
                var revoked = await CreditApi.RevokeAsync(
                    compensate.CustomerId, new RevokeCreditRequest(compensate.OrderId), credit, time, options, loggers, cancellationToken);
                if (revoked.Result is not Ok<Credit.CreditOperationResponse>)
                {
                    return Answer(type, cancelled.EventId, cancelled.OrderId, revoked.Result, logger);
                }

                var reason = string.IsNullOrWhiteSpace(cancelled.Reason) ? "order cancelled by the customer" : cancelled.Reason;
                await PaymentsApi.RefundAsync(
                    compensate.OrderId, new RefundRequest(reason.Length <= 500 ? reason : reason[..500]), ifMatch: null, payments, gateway, time, options, loggers, cancellationToken);
                // Judged by what is stored, not by the answer: the refund is idempotent and the payment tells the truth.
                var (payment, _) = await payments.GetAsync(compensate.OrderId, cancellationToken);
                switch (ChoreographyRules.AfterRefund(payment?.Status))
                {
                    case RefundVerdict.Done:
                        logger.SagaEventHandled(type, cancelled.EventId, cancelled.OrderId, "credit revoked, payment refunded");
                        return TypedResults.Ok(TopicStatus.Success);
                    case RefundVerdict.NotYet:
                        logger.SagaEventDeferred(type, cancelled.EventId, cancelled.OrderId, $"the payment is {payment!.Status}; retrying the refund");
                        return TypedResults.Ok(TopicStatus.Retry);
                    default:
                        logger.SagaEventDropped(type, $"{cancelled.EventId} for order {cancelled.OrderId}: the payment is {payment?.Status.ToString() ?? "missing"}; nothing to refund for a confirmed order");
                        return TypedResults.Ok(TopicStatus.Drop);
                }

            default:
                throw new InvalidOperationException("unexpected saga step");
        }
    }

    internal static Ok<TopicStatus> Ignore(string eventType, ILoggerFactory loggers)
    {
        loggers.CreateLogger(LogCategory).SagaEventIgnored(eventType);
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static Ok<TopicStatus> DropUnrouted(ILoggerFactory loggers)
    {
        loggers.CreateLogger(LogCategory).SagaEventDropped("(unrouted)", "no route for this event type on topics orders and inventory");
        return TypedResults.Ok(TopicStatus.Drop);
    }

    /// <summary>
    /// The delivery answer for what the charge or award endpoint answered: done (incl. a decline, which is recorded
    /// and published as PaymentFailed) → SUCCESS; a request that contradicts what is recorded or is invalid → DROP,
    /// since no retry can change it. Conflicts that outlast the ETag retries throw and are retried by Dapr.
    /// </summary>
    internal static Ok<TopicStatus> Answer(string type, string eventId, string orderId, IResult result, ILogger logger)
    {
        switch (result)
        {
            case IStatusCodeHttpResult { StatusCode: >= 200 and < 300 or StatusCodes.Status402PaymentRequired } done:
                logger.SagaEventHandled(type, eventId, orderId, done.StatusCode == StatusCodes.Status402PaymentRequired ? "payment declined" : $"done ({done.StatusCode})");
                return TypedResults.Ok(TopicStatus.Success);
            case ProblemHttpResult problem:
                logger.SagaEventDropped(type, $"{eventId} for order {orderId}: {problem.ProblemDetails.Title}: {problem.ProblemDetails.Detail}");
                return TypedResults.Ok(TopicStatus.Drop);
            default:
                logger.SagaEventDropped(type, $"{eventId} for order {orderId}: refused as invalid ({result.GetType().Name})");
                return TypedResults.Ok(TopicStatus.Drop);
        }
    }

    /// <summary>The event, or null (logged; the caller answers DROP) when it is malformed, lacks an event id or names no valid order.</summary>
    private static async Task<T?> ReadValidAsync<T>(HttpRequest request, string type, ILogger logger, CancellationToken cancellationToken)
        where T : class, ISagaEventCopy
    {
        var (copy, dropReason) = await IntegrationEventJson.ReadAsync<T>(request.Body, cancellationToken);
        if (copy is null)
        {
            logger.SagaEventDropped(type, dropReason!);
            return null;
        }

        if (Invalid(copy.EventId, copy.OrderId) is { } problem)
        {
            logger.SagaEventDropped(type, problem);
            return null;
        }

        return copy;
    }

    private static string? Invalid(string eventId, string orderId) =>
        string.IsNullOrWhiteSpace(eventId) ? "eventId is missing"
        : !Identifiers.IsValid(orderId) ? "orderId is not a valid id"
        : null;
}
