using System.Net;
using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>
/// Cancellation compensation: the committed units come back to available (<c>POST /reservations/{id}/return</c>,
/// idempotent, never twice). No reservation, or one that was released or rejected, means nothing left the
/// warehouse. "Not committed yet" (the fulfilment's commit has not landed) is an error, so the retry policy waits
/// for the commit and then returns the units.
/// </summary>
public sealed class ReturnStockActivity(ServiceCall call) : WorkflowActivity<OrderStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OrderStepInput input)
    {
        var answer = await call.PostAsync(DaprNames.InventoryApp, $"reservations/{Uri.EscapeDataString(input.OrderId)}/return");
        return answer.Status switch
        {
            _ when answer.IsSuccess => StepResult.Done("returned"),
            HttpStatusCode.NotFound => StepResult.Done("nothing was reserved"),
            HttpStatusCode.Conflict when answer.Problem.Contains("nothing left the warehouse", StringComparison.OrdinalIgnoreCase) => StepResult.Done("nothing left the warehouse"),
            _ => throw answer.Error(),
        };
    }
}
