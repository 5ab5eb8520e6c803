using Dapr.Workflow;
using OrderSaga.Activities;
using OrderSaga.Domain;

namespace OrderSaga.Workflows;

/// <summary>
/// The orchestrated order saga (instance id = order id): reserve stock → (review, for large orders) → charge the
/// payment (bounded by a durable timeout) → confirm the order → commit the stock and award credit points. Each
/// compensation is pushed before the step it undoes and, on failure, the stack runs in reverse (refund, release,
/// cancel with the reason). A compensation that keeps failing is recorded and the saga ends in NeedsRepair.
/// Deterministic: time from the context only, no I/O here (the activities do it), replay-safe logging.
/// </summary>
public sealed class OrderFulfillmentWorkflow : Workflow<FulfillmentInput, SagaProgress>
{
    public const string ReviewEvent = "review";

    public override async Task<SagaProgress> RunAsync(WorkflowContext context, FulfillmentInput input)
    {
        var logger = context.CreateReplaySafeLogger<OrderFulfillmentWorkflow>();
        var order = input.Order;
        var settings = input.Settings;
        var stepOptions = new WorkflowTaskOptions(Retry(settings.Steps));
        var journal = new SagaJournal();
        var owed = new OwedCompensations();
        DateTimeOffset Now() => new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

        void Begin(SagaStep step)
        {
            journal.Begin(step, Now());
            context.SetCustomStatus(journal.Snapshot());
        }

        // A forward step: true when it succeeded; a refusal or an exhausted retry fails the saga with a reason.
        async Task<bool> StepAsync(SagaStep step, Func<Task<StepResult>> call, string refusal)
        {
            Begin(step);
            return await OutcomeAsync(step, call(), refusal);
        }

        async Task<bool> OutcomeAsync(SagaStep step, Task<StepResult> call, string refusal)
        {
            try
            {
                var result = await call;
                if (result.Succeeded)
                {
                    journal.Succeeded(step, Now(), result.Detail);
                    return true;
                }

                journal.Failed(step, Now(), SagaRules.Because(refusal, result.Detail));
            }
            catch (WorkflowTaskFailedException error)
            {
                journal.Failed(step, Now(), SagaRules.Because($"{step} failed", error.FailureDetails.ErrorMessage));
            }

            logger.StepFailed(order.OrderId, step, journal.Reason);
            return false;
        }

        logger.SagaStarted(order.OrderId, order.Total, order.Currency);
        var succeeded = await ForwardAsync();
        if (!succeeded)
        {
            await CompensateAsync();
        }

        journal.Finish(Now());
        context.SetCustomStatus(journal.Snapshot());
        logger.SagaFinished(order.OrderId, journal.State, journal.Reason);
        return journal.Snapshot();

        async Task<bool> ForwardAsync()
        {
            // The order exists from the start, so cancelling it is owed first; release is owed before reserving.
            owed.Push(SagaStep.CancelOrder);
            owed.Push(SagaStep.ReleaseStock);
            if (!await StepAsync(
                SagaStep.ReserveStock,
                () => context.CallActivityAsync<StepResult>(nameof(ReserveStockActivity), new ReserveStockInput(order.OrderId, order.Lines), stepOptions),
                SagaRules.OutOfStockReason))
            {
                return false;
            }

            if (SagaRules.NeedsReview(order.Total, settings.ReviewAbove) && !await ReviewAsync())
            {
                return false;
            }

            owed.Push(SagaStep.RefundPayment);
            if (!await ChargeAsync())
            {
                return false;
            }

            if (!await StepAsync(
                SagaStep.ConfirmOrder,
                () => context.CallActivityAsync<StepResult>(nameof(ConfirmOrderActivity), new OrderStepInput(order.OrderId, order.CustomerId), stepOptions),
                "order not confirmable"))
            {
                return false;
            }

            // Point of no return: a confirmed order is not undone by this saga. What follows is retried, and a
            // step that keeps failing leaves the saga in NeedsRepair instead of compensating a confirmed order.
            owed.Clear();
            await AfterConfirmationAsync(
                SagaStep.CommitStock,
                () => context.CallActivityAsync<StepResult>(nameof(CommitStockActivity), new OrderStepInput(order.OrderId, order.CustomerId), stepOptions));
            var points = SagaRules.CreditPoints(order.Total);
            if (points > 0)
            {
                await AfterConfirmationAsync(
                    SagaStep.AwardCredit,
                    () => context.CallActivityAsync<StepResult>(nameof(AwardCreditActivity), new AwardCreditInput(order.OrderId, order.CustomerId, points), stepOptions));
            }

            return true;
        }

        async Task<bool> ReviewAsync()
        {
            Begin(SagaStep.AwaitReview);
            ReviewDecision? decision;
            try
            {
                decision = await context.WaitForExternalEventAsync<ReviewDecision>(ReviewEvent, settings.ReviewTimeout);
            }
            catch (TaskCanceledException)
            {
                decision = null;
            }

            if (SagaRules.ReviewRefusal(decision) is { } refusal)
            {
                journal.Failed(SagaStep.AwaitReview, Now(), refusal);
                logger.StepFailed(order.OrderId, SagaStep.AwaitReview, refusal);
                return false;
            }

            journal.Succeeded(SagaStep.AwaitReview, Now(), decision?.Reviewer is { } reviewer ? "approved by " + reviewer : "approved");
            return true;
        }

        async Task<bool> ChargeAsync()
        {
            Begin(SagaStep.ChargePayment);
            var charge = context.CallActivityAsync<StepResult>(
                nameof(ChargePaymentActivity), new ChargePaymentInput(order.OrderId, order.CustomerId, order.Total, order.Currency), stepOptions);
            using var timerCancellation = new CancellationTokenSource();
            var timeout = context.CreateTimer(settings.PaymentTimeout, timerCancellation.Token);
            if (await Task.WhenAny(charge, timeout) == timeout)
            {
                journal.Failed(SagaStep.ChargePayment, Now(), SagaRules.PaymentTimedOutReason);
                logger.StepFailed(order.OrderId, SagaStep.ChargePayment, SagaRules.PaymentTimedOutReason);
                context.SetCustomStatus(journal.Snapshot());
                // The charge may still succeed late. Wait until it has settled, so the refund below sees its final
                // state and a late success is refunded (a refund before the charge landed would find nothing).
                await SettleLateChargeAsync(charge);
                return false;
            }

            timerCancellation.Cancel();
            return await OutcomeAsync(SagaStep.ChargePayment, charge, SagaRules.PaymentDeclinedReason);
        }

        async Task SettleLateChargeAsync(Task<StepResult> charge)
        {
            try
            {
                var late = await charge;
                journal.Succeeded(SagaStep.ChargePayment, Now(), late.Succeeded ? "late charge succeeded; refunding it" : "late charge declined: " + late.Detail);
            }
            catch (WorkflowTaskFailedException error)
            {
                // Recorded, not hidden: the refund compensation still runs and retries while the payment is pending.
                journal.Succeeded(SagaStep.ChargePayment, Now(), "late charge failed: " + error.FailureDetails.ErrorMessage);
            }
        }

        async Task AfterConfirmationAsync(SagaStep step, Func<Task<StepResult>> call)
        {
            Begin(step);
            try
            {
                var result = await call();
                if (result.Succeeded)
                {
                    journal.Succeeded(step, Now(), result.Detail);
                    return;
                }

                journal.Unrepaired(step, Now(), result.Detail ?? "refused");
            }
            catch (WorkflowTaskFailedException error)
            {
                journal.Unrepaired(step, Now(), error.FailureDetails.ErrorMessage);
            }

            logger.NeedsRepair(order.OrderId, step, journal.Errors[^1]);
        }

        async Task CompensateAsync()
        {
            var compensationOptions = new WorkflowTaskOptions(Retry(settings.Compensations));
            var compensation = new OrderStepInput(order.OrderId, order.CustomerId, journal.Reason);
            foreach (var step in owed.Drain())
            {
                Begin(step);
                try
                {
                    var result = step switch
                    {
                        SagaStep.RefundPayment => await context.CallActivityAsync<StepResult>(nameof(RefundPaymentActivity), compensation, compensationOptions),
                        SagaStep.ReleaseStock => await context.CallActivityAsync<StepResult>(nameof(ReleaseStockActivity), compensation, compensationOptions),
                        SagaStep.CancelOrder => await context.CallActivityAsync<StepResult>(nameof(CancelOrderActivity), compensation, compensationOptions),
                        _ => throw new InvalidOperationException($"{step} is not a compensation"),
                    };
                    journal.Succeeded(step, Now(), result.Detail);
                }
                catch (WorkflowTaskFailedException error)
                {
                    // Never swallowed: recorded in the saga's status and errors, and the saga ends in NeedsRepair.
                    // The remaining compensations still run, so as little as possible is left to repair.
                    journal.Unrepaired(step, Now(), error.FailureDetails.ErrorMessage);
                    logger.NeedsRepair(order.OrderId, step, error.FailureDetails.ErrorMessage);
                }
            }
        }
    }

    private static WorkflowRetryPolicy Retry(RetrySettings retry) =>
        new(retry.MaxAttempts, retry.FirstInterval, backoffCoefficient: 2, maxRetryInterval: retry.MaxInterval);
}
