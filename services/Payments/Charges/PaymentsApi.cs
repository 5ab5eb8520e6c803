using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Payments.Domain;
using Payments.Gateway;
using ServiceDefaults;

namespace Payments.Charges;

/// <summary>Charges and refunds, one payment per order, idempotent by order id.</summary>
public static class PaymentsApi
{
    private const string LogCategory = "Payments.Charges";

    public static RouteGroupBuilder MapPaymentsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/payments").WithTags("Payments");
        group.MapPost("/", ChargeAsync)
            .WithName("ChargePayment")
            .WithSummary("Charge an order once; a repeat answers the recorded payment (200), a decline answers 402 every time.")
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{orderId}", GetAsync)
            .WithName("GetPayment")
            .WithSummary("The payment of an order, with its ETag.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{orderId}/refund", RefundAsync)
            .WithName("RefundPayment")
            .WithSummary("Refund a succeeded payment once (honours If-Match); a repeat answers the refunded payment.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    public static Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ProblemHttpResult, ValidationProblem>> ChargeAsync(
        ChargeRequest request,
        PaymentStore store,
        IPaymentGateway gateway,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken) =>
        ChargeCoreAsync(request, store, gateway, time, options, loggers, lateOutcomeChecks: null, cancellationToken);

    /// <summary>
    /// The choreographed saga's charge: the same as <see cref="ChargeAsync"/>, except that the gateway gets
    /// <see cref="PaymentsOptions.ChargeTimeout"/> to answer. Without an answer by then the payment becomes TimedOut
    /// and PaymentFailed goes out (same outbox transaction), after the check of its late outcome was scheduled
    /// (<see cref="LateOutcomeChecks"/>). A redelivery that finds the payment Pending (a crash before TimedOut was
    /// recorded) asks the gateway again, with the same deadline.
    /// </summary>
    internal static Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ProblemHttpResult, ValidationProblem>> ChargeWithDeadlineAsync(
        ChargeRequest request,
        PaymentStore store,
        IPaymentGateway gateway,
        LateOutcomeChecks lateOutcomeChecks,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken) =>
        ChargeCoreAsync(request, store, gateway, time, options, loggers, lateOutcomeChecks, cancellationToken);

    /// <summary>
    /// Asks the gateway for the charge's outcome, waiting at most <paramref name="timeout"/>; null when it did not
    /// answer by then. The gateway keeps going (a real one may still charge): its idempotency key (the order id)
    /// answers the same outcome to a later request.
    /// </summary>
    internal static async Task<GatewayOutcome?> AskGatewayAsync(
        IPaymentGateway gateway, GatewayChargeRequest request, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await gateway.ChargeAsync(request, linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ProblemHttpResult, ValidationProblem>> ChargeCoreAsync(
        ChargeRequest request,
        PaymentStore store,
        IPaymentGateway gateway,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        LateOutcomeChecks? lateOutcomeChecks,
        CancellationToken cancellationToken)
    {
        if (Money.Validate(request.Amount, request.Currency) is { } invalid)
        {
            var field = Money.IsSupported(request.Currency) ? "amount" : "currency";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [invalid] });
        }

        var logger = loggers.CreateLogger(LogCategory);
        var command = request.ToCommand();
        var created = false;
        for (var attempt = 1; attempt <= options.Value.MaxConcurrencyAttempts; attempt++)
        {
            var (payment, etag) = await store.GetAsync(command.OrderId, cancellationToken);
            if (payment is null)
            {
                // First-write: of all concurrent requests for the order, exactly one creates the pending payment.
                created = await store.TryCreatePendingAsync(Payment.Start(command, time.GetUtcNow()), cancellationToken);
                continue;
            }

            if (!payment.IsSameCharge(command))
            {
                logger.ChargeMismatch(command.OrderId);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Different charge for the same order",
                    detail: $"Order '{command.OrderId}' was already charged {payment.Amount} {payment.Currency} for customer '{payment.CustomerId}'.");
            }

            if (payment.Status != PaymentStatus.Pending)
            {
                if (!created)
                {
                    logger.ChargeReplayed(command.OrderId, payment.Status);
                }

                return Answer(payment, created);
            }

            // Pending: charge with the order id as idempotency key. A request that finds someone else's pending
            // payment (in flight, or left by a crash) asks too; the gateway answers its recorded outcome, never charges twice.
            if (!created)
            {
                logger.CompletingPendingPayment(command.OrderId);
            }

            GatewayOutcome outcome;
            var gatewayRequest = new GatewayChargeRequest(command.OrderId, command.CustomerId, command.Amount, command.Currency);
            if (lateOutcomeChecks is null)
            {
                outcome = await gateway.ChargeAsync(gatewayRequest, cancellationToken);
            }
            else if (await AskGatewayAsync(gateway, gatewayRequest, options.Value.ChargeTimeout, time, cancellationToken) is { } answered)
            {
                outcome = answered;
            }
            else
            {
                // Checker first: a TimedOut payment without its job would never learn its late outcome.
                await lateOutcomeChecks.ScheduleAsync(command.OrderId, cancellationToken);
                var timedOut = payment.TimeOut(time.GetUtcNow());
                if (!await store.TryRecordAsync(timedOut, etag, timedOut.ToFailed(), cancellationToken))
                {
                    logger.ConcurrentChange("Payment", command.OrderId, attempt);
                    continue;
                }

                logger.PaymentRecorded(timedOut.PaymentId, timedOut.OrderId, timedOut.Status, timedOut.Version);
                logger.PaymentTimedOut(timedOut.OrderId, options.Value.ChargeTimeout);
                return Answer(timedOut, created);
            }

            var now = time.GetUtcNow();
            var settled = outcome.Decision switch
            {
                GatewayDecision.Declined declined => payment.Fail(declined.Reason, now),
                _ => payment.Succeed(outcome.Reference, now),
            };
            var recorded = settled.Status == PaymentStatus.Succeeded
                ? await store.TryRecordAsync(settled, etag, settled.ToSucceeded(), cancellationToken)
                : await store.TryRecordAsync(settled, etag, settled.ToFailed(), cancellationToken);
            if (!recorded)
            {
                // Another request recorded the outcome first; the next read answers it.
                logger.ConcurrentChange("Payment", command.OrderId, attempt);
                continue;
            }

            logger.PaymentRecorded(settled.PaymentId, settled.OrderId, settled.Status, settled.Version);
            CrashFailpoint.AfterChargeRecorded();
            if (settled.FailureReason is { } reason)
            {
                logger.PaymentDeclined(settled.OrderId, reason);
            }

            return Answer(settled, created);
        }

        throw new ConcurrencyConflictException($"The payment of order '{command.OrderId}' kept changing; retry the charge.");
    }

    public static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult, ValidationProblem>> GetAsync(
        string orderId,
        PaymentStore store,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        if (Http.InvalidId(nameof(orderId), orderId) is { } invalid)
        {
            return invalid;
        }

        var (payment, etag) = await store.GetAsync(orderId, cancellationToken);
        if (payment is null)
        {
            return Http.NotFound("Payment not found", $"No payment for order '{orderId}'.");
        }

        response.Headers.ETag = Http.FormatETag(etag);
        return TypedResults.Ok(payment.ToResponse());
    }

    public static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult, ValidationProblem>> RefundAsync(
        string orderId,
        RefundRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        PaymentStore store,
        IPaymentGateway gateway,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (Http.InvalidId(nameof(orderId), orderId) is { } invalid)
        {
            return invalid;
        }

        var logger = loggers.CreateLogger(LogCategory);
        for (var attempt = 1; attempt <= options.Value.MaxConcurrencyAttempts; attempt++)
        {
            var (payment, etag) = await store.GetAsync(orderId, cancellationToken);
            if (payment is null)
            {
                return Http.NotFound("Payment not found", $"No payment for order '{orderId}': nothing to refund.");
            }

            if (ifMatch is not null && !Http.IfMatchSatisfied(ifMatch, etag))
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status412PreconditionFailed,
                    title: "Payment changed",
                    detail: "The payment no longer has the ETag given in If-Match; read it again.");
            }

            switch (payment.DecideRefund(request.Reason, time.GetUtcNow()))
            {
                case RefundDecision.Refused refused:
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Payment not refundable", detail: refused.Reason);
                case RefundDecision.AlreadyRefunded already:
                    return TypedResults.Ok(already.Payment.ToResponse());
                case RefundDecision.Refund refund:
                    await gateway.RefundAsync(orderId, cancellationToken);
                    if (await store.TryRecordAsync(refund.Refunded, etag, refund.Refunded.ToRefunded(), cancellationToken))
                    {
                        logger.PaymentRefunded(orderId, request.Reason);
                        return TypedResults.Ok(refund.Refunded.ToResponse());
                    }

                    logger.ConcurrentChange("Payment", orderId, attempt);
                    await Http.BackoffAsync(attempt, time, cancellationToken);
                    break;
            }
        }

        throw new ConcurrencyConflictException($"The payment of order '{orderId}' kept changing; retry the refund.");
    }

    private static Results<Created<PaymentResponse>, Ok<PaymentResponse>, ProblemHttpResult, ValidationProblem> Answer(Payment payment, bool created) =>
        payment.Status switch
        {
            PaymentStatus.Failed => TypedResults.Problem(
                statusCode: StatusCodes.Status402PaymentRequired,
                title: "Payment declined",
                detail: payment.FailureReason,
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["orderId"] = payment.OrderId,
                    ["paymentId"] = payment.PaymentId,
                    ["reason"] = payment.FailureReason,
                }),
            _ when created => TypedResults.Created($"/payments/{payment.OrderId}", payment.ToResponse()),
            _ => TypedResults.Ok(payment.ToResponse()),
        };
}
