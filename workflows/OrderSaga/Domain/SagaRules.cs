namespace OrderSaga.Domain;

/// <summary>The saga's business decisions, as pure functions.</summary>
public static class SagaRules
{
    public const string OutOfStockReason = "out of stock";
    public const string PaymentDeclinedReason = "payment declined";
    public const string PaymentTimedOutReason = "payment timed out";
    public const string ReviewRejectedReason = "rejected in review";
    public const string ReviewExpiredReason = "review expired";

    /// <summary>Orders above the threshold wait for a manual review; no threshold, no reviews.</summary>
    public static bool NeedsReview(decimal total, decimal? reviewAbove) => reviewAbove is { } limit && total > limit;

    /// <summary>Credit points for a confirmed order: one per whole currency unit of the total (the choreography's rule too).</summary>
    public static int CreditPoints(decimal total) => total <= 0 ? 0 : (int)decimal.Floor(total);

    /// <summary>The reason an order is cancelled with when a review did not approve it.</summary>
    public static string? ReviewRefusal(ReviewDecision? decision) => decision switch
    {
        null => ReviewExpiredReason,
        { Approved: false } => ReviewRejectedReason,
        _ => null,
    };

    /// <summary>How a saga that compensated ends: any compensation that kept failing leaves it needing repair.</summary>
    public static SagaState AfterCompensation(int failedCompensations) => failedCompensations == 0 ? SagaState.Compensated : SagaState.NeedsRepair;

    /// <summary>The instance id of an order's cancellation workflow: its own instance, beside the fulfilment's (= order id).</summary>
    public static string CancellationInstanceId(string orderId) => orderId + CancellationSuffix;

    public const string CancellationSuffix = "-cancel";

    /// <summary>The compensations of a customer cancellation, in the order they run: money first, then goods, then points.</summary>
    public static IReadOnlyList<SagaStep> CancellationCompensations { get; } = [SagaStep.RefundPayment, SagaStep.ReturnStock, SagaStep.RevokeCredit];

    /// <summary>
    /// The order is marked Cancelled only when every compensation succeeded: an order left Cancelling (with the
    /// saga in NeedsRepair) tells the reconciliation job exactly what is still owed.
    /// </summary>
    public static bool MayCompleteCancellation(int failedCompensations) => failedCompensations == 0;

    /// <summary>Joins a fixed reason with the detail the step returned ("out of stock: SKU-1 wants 3, has 1").</summary>
    public static string Because(string reason, string? detail) => Cap(string.IsNullOrWhiteSpace(detail) ? reason : $"{reason}: {detail}");

    /// <summary>Orders and payments take reasons of at most 500 characters.</summary>
    public static string Cap(string reason) => reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength];

    public const int MaxReasonLength = 500;
}
