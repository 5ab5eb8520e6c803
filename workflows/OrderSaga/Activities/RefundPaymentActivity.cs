using System.Net;
using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>
/// Compensation: refunds the order's payment (<c>POST /payments/{id}/refund</c>, idempotent). No payment (404) or a
/// declined one means nothing was charged. A payment still pending at the gateway is an error, so the retry policy
/// waits for it to settle and then refunds it: a late successful charge is never kept.
/// </summary>
public sealed class RefundPaymentActivity(ServiceCall call) : WorkflowActivity<OrderStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OrderStepInput input)
    {
        var answer = await call.PostAsync(
            DaprNames.PaymentsApp,
            $"payments/{Uri.EscapeDataString(input.OrderId)}/refund",
            new { reason = input.Reason ?? "order saga compensation" });
        return answer.Status switch
        {
            _ when answer.IsSuccess => StepResult.Done("refunded"),
            HttpStatusCode.NotFound => StepResult.Done("nothing was charged"),
            HttpStatusCode.Conflict when answer.Problem.Contains("failed", StringComparison.OrdinalIgnoreCase) => StepResult.Done("the charge was declined"),
            _ => throw answer.Error(),
        };
    }
}
