using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>Compensation: gives the reserved units back (<c>POST /reservations/{id}/release</c>, idempotent, also without a reservation).</summary>
public sealed class ReleaseStockActivity(ServiceCall call) : WorkflowActivity<OrderStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OrderStepInput input)
    {
        var answer = await call.PostAsync(DaprNames.InventoryApp, $"reservations/{Uri.EscapeDataString(input.OrderId)}/release");
        // 409 (committed) cannot be compensated by a retry either, but it must stay visible: thrown, so it ends in needs-repair.
        return answer.IsSuccess ? StepResult.Done("released") : throw answer.Error();
    }
}
