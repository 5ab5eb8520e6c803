using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Payments.Domain;
using Payments.Gateway;
using ServiceDefaults;

namespace Payments.Charges;

/// <summary>
/// Where the Scheduler delivers a late-outcome check (<c>POST /job/{name}</c>, contract §7.1): a TimedOut payment
/// asks the gateway again with the same idempotency key (the order id), which answers the charge's recorded or
/// in-flight outcome. Approved late → refunded at the gateway, recorded Refunded (PaymentRefunded through the
/// outbox); declined late → recorded Failed without a second PaymentFailed; no answer yet → asked again at the
/// next firing. A settled or missing payment changes nothing and ends the job; a Pending one keeps it (its
/// charge is in flight, or a crash left it for the StockReserved redelivery, which may still time it out).
/// 200 = done; 404 (not a check of ours) also counts as done for daprd; a failure (5xx) is retried.
/// </summary>
public static class LateOutcomeJobApi
{
    private const string LogCategory = "Payments.Charges";

    public static RouteGroupBuilder MapLateOutcomeJobApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/job").WithTags("Jobs").ExcludeFromDescription();
        group.MapPost("{jobName}", CheckLateOutcomeAsync);
        return group;
    }

    internal static async Task<Results<Ok, NotFound>> CheckLateOutcomeAsync(
        string jobName,
        PaymentStore store,
        IPaymentGateway gateway,
        LateOutcomeChecks checks,
        TimeProvider time,
        IOptions<PaymentsOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        if (LateOutcomeChecks.OrderIdOf(jobName) is not { } orderId)
        {
            logger.LateOutcomeJobUnknown(jobName);
            return TypedResults.NotFound();
        }

        for (var attempt = 1; attempt <= options.Value.MaxConcurrencyAttempts; attempt++)
        {
            var (payment, etag) = await store.GetAsync(orderId, cancellationToken);
            if (payment is { Status: PaymentStatus.Pending })
            {
                logger.LateOutcomeChecked(jobName, orderId, "the payment is still pending; checked again at the next firing");
                return TypedResults.Ok();
            }

            if (payment is not { Status: PaymentStatus.TimedOut })
            {
                await EndAsync(checks, jobName, orderId, $"nothing to settle: the payment is {payment?.Status.ToString() ?? "missing"}", logger, cancellationToken);
                return TypedResults.Ok();
            }

            var outcome = await PaymentsApi.AskGatewayAsync(
                gateway, new GatewayChargeRequest(payment.OrderId, payment.CustomerId, payment.Amount, payment.Currency), options.Value.ChargeTimeout, time, cancellationToken);
            if (outcome is null)
            {
                logger.LateOutcomeChecked(jobName, orderId, "the gateway has still not answered; asked again at the next firing");
                return TypedResults.Ok();
            }

            var settled = payment.SettleLate(outcome.Decision, outcome.Reference, time.GetUtcNow());
            bool recorded;
            if (settled.Status == PaymentStatus.Refunded)
            {
                // Refunded at the gateway before it is recorded: a crash in between leaves TimedOut, and the next
                // firing refunds again, which the gateway answers idempotently (same key).
                await gateway.RefundAsync(orderId, cancellationToken);
                recorded = await store.TryRecordAsync(settled, etag, settled.ToRefunded(), cancellationToken);
            }
            else
            {
                // PaymentFailed went out at the timeout; the late decline only settles the record.
                recorded = await store.TryRecordWithoutEventAsync(settled, etag, cancellationToken);
            }

            if (!recorded)
            {
                logger.ConcurrentChange("Payment", orderId, attempt);
                continue;
            }

            logger.PaymentRecorded(settled.PaymentId, settled.OrderId, settled.Status, settled.Version);
            var what = outcome.Decision is GatewayDecision.Declined declined
                ? $"declined late ({declined.Reason}); recorded Failed"
                : "approved late; refunded at the gateway, recorded Refunded";
            await EndAsync(checks, jobName, orderId, what, logger, cancellationToken);
            return TypedResults.Ok();
        }

        throw new ConcurrencyConflictException($"The payment of order '{orderId}' kept changing; the late-outcome check is retried.");
    }

    private static async Task EndAsync(LateOutcomeChecks checks, string jobName, string orderId, string outcome, ILogger logger, CancellationToken cancellationToken)
    {
        // A failed delete leaves the job; its next firing finds the payment settled and deletes it then.
        var deleted = await checks.TryDeleteAsync(orderId, cancellationToken);
        logger.LateOutcomeChecked(jobName, orderId, outcome + (deleted ? "; check ended" : "; the job could not be deleted, ended at a later firing"));
    }
}
