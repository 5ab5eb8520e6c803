using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>Awards the confirmed order's credit points (<c>POST /customers/{c}/credit/awards</c>, once per order).</summary>
public sealed class AwardCreditActivity(ServiceCall call) : WorkflowActivity<AwardCreditInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, AwardCreditInput input)
    {
        var answer = await call.PostAsync(
            DaprNames.PaymentsApp,
            $"customers/{Uri.EscapeDataString(input.CustomerId)}/credit/awards",
            new { orderId = input.OrderId, points = input.Points });
        return answer.IsSuccess ? StepResult.Done($"{input.Points} points") : (int)answer.Status is >= 400 and < 500 and not 409
            ? StepResult.Refused(answer.Problem)
            : throw answer.Error();
    }
}
