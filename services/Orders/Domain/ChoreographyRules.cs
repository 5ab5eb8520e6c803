namespace Orders.Domain;

/// <summary>An outcome another participant of the choreographed saga reported for an order (DESIGN §3).</summary>
public abstract record SagaOutcome
{
    private SagaOutcome()
    {
    }

    /// <summary>Payments charged the order: it is confirmed.</summary>
    public sealed record PaymentSucceeded : SagaOutcome;

    /// <summary>Inventory could not reserve the order's lines: it is cancelled.</summary>
    public sealed record StockRejected(string Reason) : SagaOutcome;

    /// <summary>Payments could not charge the order (inventory releases its stock): it is cancelled.</summary>
    public sealed record PaymentFailed(string Reason) : SagaOutcome;

    /// <summary>A compensation of a customer cancellation is done (PaymentRefunded or StockReturned).</summary>
    public sealed record CompensationDone(CancellationCompensation Compensation) : SagaOutcome;
}

/// <summary>What the orders participant does with a saga outcome.</summary>
public abstract record ChoreographyDecision
{
    private ChoreographyDecision()
    {
    }

    /// <summary>Not an order of the choreographed saga (unknown here, not placed, or orchestrated): acknowledge, change nothing.</summary>
    public sealed record NotOurs(string Why) : ChoreographyDecision;

    /// <summary>The order's confirm or cancel decision (changed, already done, or refused).</summary>
    public sealed record Transition(TransitionResult Result) : ChoreographyDecision;
}

/// <summary>
/// The orders side of the choreographed saga as pure decisions. The order itself tells its saga mode, so the
/// decision is right whatever order the outcome events arrive in; confirm and cancel are the same idempotent
/// transitions the orchestrated saga calls.
/// </summary>
public static class ChoreographyRules
{
    public static ChoreographyDecision Decide(Order? order, SagaOutcome outcome, DateTimeOffset now) => order switch
    {
        null or { IsPlaced: false } => new ChoreographyDecision.NotOurs("no placed order has this id"),
        { SagaMode: not SagaMode.Choreography } => new ChoreographyDecision.NotOurs($"the order runs the {order.SagaMode} saga"),
        _ => outcome switch
        {
            // A refund or return outside a customer cancellation (an operator's refund) is not the saga's business.
            SagaOutcome.CompensationDone when order.Status is not (OrderStatus.Cancelling or OrderStatus.Cancelled) =>
                new ChoreographyDecision.NotOurs($"the order is {order.Status}, not being cancelled"),
            SagaOutcome.CompensationDone done => new ChoreographyDecision.Transition(OrderDecisions.ReportCompensation(order, done.Compensation, now)),
            SagaOutcome.PaymentSucceeded => new ChoreographyDecision.Transition(OrderDecisions.Confirm(order, now)),
            // A failure of the fulfilment never completes a customer cancellation (only its compensations do).
            _ when order.Status == OrderStatus.Cancelling => new ChoreographyDecision.Transition(
                new TransitionResult.Refused(order, $"Order {order.OrderId} is being cancelled by the customer; a fulfilment failure does not apply.")),
            _ => new ChoreographyDecision.Transition(OrderDecisions.Cancel(order, CancellationReason(outcome), now)),
        },
    };

    /// <summary>The reason a cancelled order carries: which participant refused, and its own reason.</summary>
    public static string CancellationReason(SagaOutcome outcome)
    {
        var (what, reason) = outcome switch
        {
            SagaOutcome.StockRejected rejected => ("Stock rejected", rejected.Reason),
            SagaOutcome.PaymentFailed failed => ("Payment failed", failed.Reason),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "only a failure cancels an order"),
        };
        var text = string.IsNullOrWhiteSpace(reason) ? what : $"{what}: {reason.Trim()}";
        return text.Length <= OrderDecisions.MaxReasonLength ? text : text[..OrderDecisions.MaxReasonLength];
    }
}
