using System.Net;
using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>Confirms the order (<c>POST /orders/{id}/confirm</c>, idempotent; 409 when it was cancelled meanwhile).</summary>
public sealed class ConfirmOrderActivity(ServiceCall call) : WorkflowActivity<OrderStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OrderStepInput input)
    {
        var answer = await call.PostAsync(DaprNames.OrdersApp, $"orders/{Uri.EscapeDataString(input.OrderId)}/confirm");
        return answer.Status switch
        {
            _ when answer.IsSuccess => StepResult.Done(),
            HttpStatusCode.Conflict or HttpStatusCode.NotFound => StepResult.Refused(answer.Problem),
            _ => throw answer.Error(),
        };
    }
}
