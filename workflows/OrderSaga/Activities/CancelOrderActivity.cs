using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>Compensation: cancels the order with the saga's reason (<c>POST /orders/{id}/cancel</c>, idempotent, first reason kept).</summary>
public sealed class CancelOrderActivity(ServiceCall call) : WorkflowActivity<OrderStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OrderStepInput input)
    {
        var answer = await call.PostAsync(
            DaprNames.OrdersApp,
            $"orders/{Uri.EscapeDataString(input.OrderId)}/cancel",
            new { reason = input.Reason ?? "order saga compensation" });
        return answer.IsSuccess ? StepResult.Done("cancelled") : throw answer.Error();
    }
}
