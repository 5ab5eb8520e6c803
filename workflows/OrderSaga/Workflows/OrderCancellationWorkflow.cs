using Dapr.Workflow;
using OrderSaga.Activities;
using OrderSaga.Domain;

namespace OrderSaga.Workflows;

/// <summary>
/// A customer's cancellation of a confirmed, orchestrated order (instance id = <c>&lt;orderId&gt;-cancel</c>, see
/// <see cref="SagaRules.CancellationInstanceId"/>): refund the payment → return the committed stock → revoke the
/// credit points → mark the order Cancelled. Every step is an idempotent compensation retried by the workflow retry
/// policy (the compensation settings). A step that keeps failing is recorded, the others still run, the order stays
/// Cancelling and the saga ends NeedsRepair — visible at <c>GET /sagas/{orderId}/cancellation</c>, never swallowed.
/// Deterministic: time from the context only, no I/O here, replay-safe logging.
/// </summary>
public sealed class OrderCancellationWorkflow : Workflow<CancellationInput, SagaProgress>
{
    public override async Task<SagaProgress> RunAsync(WorkflowContext context, CancellationInput input)
    {
        var logger = context.CreateReplaySafeLogger<OrderCancellationWorkflow>();
        var cancellation = input.Cancellation;
        var options = new WorkflowTaskOptions(new WorkflowRetryPolicy(
            input.Settings.Compensations.MaxAttempts,
            input.Settings.Compensations.FirstInterval,
            backoffCoefficient: 2,
            maxRetryInterval: input.Settings.Compensations.MaxInterval));
        var step = new OrderStepInput(cancellation.OrderId, cancellation.CustomerId, SagaRules.Cap(cancellation.Reason));
        var journal = new SagaJournal();
        DateTimeOffset Now() => new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

        async Task RunAsync(SagaStep name, string activity)
        {
            journal.Begin(name, Now());
            context.SetCustomStatus(journal.Snapshot());
            try
            {
                var result = await context.CallActivityAsync<StepResult>(activity, step, options);
                journal.Succeeded(name, Now(), result.Detail);
            }
            catch (WorkflowTaskFailedException error)
            {
                journal.Unrepaired(name, Now(), error.FailureDetails.ErrorMessage);
                logger.NeedsRepair(cancellation.OrderId, name, error.FailureDetails.ErrorMessage);
            }
        }

        logger.CancellationStarted(cancellation.OrderId, cancellation.Reason);
        foreach (var compensation in SagaRules.CancellationCompensations)
        {
            await RunAsync(compensation, compensation switch
            {
                SagaStep.RefundPayment => nameof(RefundPaymentActivity),
                SagaStep.ReturnStock => nameof(ReturnStockActivity),
                SagaStep.RevokeCredit => nameof(RevokeCreditActivity),
                _ => throw new InvalidOperationException($"{compensation} is not a cancellation compensation"),
            });
        }

        if (SagaRules.MayCompleteCancellation(journal.Errors.Count))
        {
            // The orders cancel endpoint completes a Cancelling order (the customer's reason is kept).
            await RunAsync(SagaStep.CancelOrder, nameof(CancelOrderActivity));
        }

        journal.Finish(Now());
        context.SetCustomStatus(journal.Snapshot());
        logger.SagaFinished(cancellation.OrderId, journal.State, cancellation.Reason);
        return journal.Snapshot();
    }
}
