using System.Net;
using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>After confirmation the reserved units leave the warehouse (<c>POST /reservations/{id}/commit</c>, idempotent).</summary>
public sealed class CommitStockActivity(ServiceCall call) : WorkflowActivity<OrderStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OrderStepInput input)
    {
        var answer = await call.PostAsync(DaprNames.InventoryApp, $"reservations/{Uri.EscapeDataString(input.OrderId)}/commit");
        return answer.Status switch
        {
            _ when answer.IsSuccess => StepResult.Done(),
            // Released or rejected meanwhile: the order is confirmed, so this is drift for repair, not for a retry.
            HttpStatusCode.Conflict or HttpStatusCode.NotFound => StepResult.Refused(answer.Problem),
            _ => throw answer.Error(),
        };
    }
}
