using System.Net;
using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>Reserves every line at inventory (<c>POST /reservations</c>, idempotent by order id).</summary>
public sealed class ReserveStockActivity(ServiceCall call) : WorkflowActivity<ReserveStockInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, ReserveStockInput input)
    {
        var answer = await call.PostAsync(DaprNames.InventoryApp, "reservations", new
        {
            orderId = input.OrderId,
            lines = input.Lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }),
        });
        return answer.Status switch
        {
            _ when answer.IsSuccess => StepResult.Done(),
            // Insufficient stock / already released (409), unknown sku (404), other lines for the order (422): answers, not errors.
            HttpStatusCode.Conflict or HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity => StepResult.Refused(answer.Problem),
            _ => throw answer.Error(),
        };
    }
}
