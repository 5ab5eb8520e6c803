using System.Net;
using Dapr.Workflow;

namespace OrderSaga.Activities;

/// <summary>Charges the order's total at payments (<c>POST /payments</c>, idempotent by order id; 402 = declined).</summary>
public sealed class ChargePaymentActivity(ServiceCall call) : WorkflowActivity<ChargePaymentInput, StepResult>
{
    public override async Task<StepResult> RunAsync(WorkflowActivityContext context, ChargePaymentInput input)
    {
        var answer = await call.PostAsync(DaprNames.PaymentsApp, "payments", new
        {
            orderId = input.OrderId,
            customerId = input.CustomerId,
            amount = input.Amount,
            currency = input.Currency,
        });
        return answer.Status switch
        {
            _ when answer.IsSuccess => StepResult.Done(answer.Read<PaymentAnswer>().PaymentId),
            HttpStatusCode.PaymentRequired or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest => StepResult.Refused(answer.Problem),
            _ => throw answer.Error(),
        };
    }

    private sealed record PaymentAnswer(string PaymentId);
}
