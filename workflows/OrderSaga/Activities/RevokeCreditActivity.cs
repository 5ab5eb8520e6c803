using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>
/// Cancellation compensation: takes back the order's credit points (<c>POST /customers/{c}/credit/revocations</c>,
/// once per order). A revocation before the award is remembered by payments, so a late award applies nothing.
/// </summary>
public sealed class RevokeCreditActivity(ServiceCall call) : WorkflowActivity<OrderStepInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, OrderStepInput input)
    {
        var answer = await call.PostAsync(
            DaprNames.PaymentsApp,
            $"customers/{Uri.EscapeDataString(input.CustomerId)}/credit/revocations",
            new { orderId = input.OrderId });
        return answer.IsSuccess ? StepResult.Done($"{answer.Read<RevocationAnswer>().Points} points revoked") : throw answer.Error();
    }

    private sealed record RevocationAnswer(int Points);
}
