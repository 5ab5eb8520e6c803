using OrderSaga.Domain;

namespace OrderSaga.Activities;

/// <summary>The input of every step that acts on the order as a whole.</summary>
public sealed record OrderStepInput(string OrderId, string CustomerId, string? Reason = null);

public sealed record ReserveStockInput(string OrderId, IReadOnlyList<OrderLineSnapshot> Lines);

public sealed record ChargePaymentInput(string OrderId, string CustomerId, decimal Amount, string Currency);

public sealed record AwardCreditInput(string OrderId, string CustomerId, int Points);

/// <summary>
/// A step's business outcome. A refusal (stock short, payment declined, order already cancelled) is a result,
/// not an exception: retrying it would give the same answer. Errors (5xx, timeouts) are thrown and retried.
/// </summary>
public sealed record StepResult(bool Succeeded, string? Detail = null)
{
    public static StepResult Done(string? detail = null) => new(true, detail);

    public static StepResult Refused(string detail) => new(false, detail);
}
