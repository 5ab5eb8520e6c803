using Payments.Domain;

namespace Payments;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Payment {PaymentId} of order {OrderId} recorded as {Status} (version {Version})")]
    public static partial void PaymentRecorded(this ILogger logger, string paymentId, string orderId, PaymentStatus status, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment of order {OrderId} declined by the gateway: {Reason}")]
    public static partial void PaymentDeclined(this ILogger logger, string orderId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Charge of order {OrderId} found a pending payment; completing it with the gateway's recorded outcome")]
    public static partial void CompletingPendingPayment(this ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Charge of order {OrderId} repeated; answered with the recorded payment ({Status})")]
    public static partial void ChargeReplayed(this ILogger logger, string orderId, PaymentStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charge of order {OrderId} refused: the order's payment was for another customer, amount or currency")]
    public static partial void ChargeMismatch(this ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment of order {OrderId} refunded: {Reason}")]
    public static partial void PaymentRefunded(this ILogger logger, string orderId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charge of order {OrderId} timed out: the gateway did not answer within {Timeout}; PaymentFailed published, its late outcome is checked by a job")]
    public static partial void PaymentTimedOut(this ILogger logger, string orderId, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Late-outcome check {JobName} of order {OrderId}: {Outcome}")]
    public static partial void LateOutcomeChecked(this ILogger logger, string jobName, string orderId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Late-outcome check {JobName} fired for what is not a late-outcome check; answered 404 (done)")]
    public static partial void LateOutcomeJobUnknown(this ILogger logger, string jobName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Aggregate} {Id} changed concurrently (attempt {Attempt}); reading it again")]
    public static partial void ConcurrentChange(this ILogger logger, string aggregate, string id, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit of customer {CustomerId}: {Change} {Points} points for order {OrderId}, balance {Balance}")]
    public static partial void CreditChanged(this ILogger logger, string customerId, CreditChange change, int points, string orderId, long balance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit of customer {CustomerId}: order {OrderId} revoked before its award; the award will not be applied")]
    public static partial void RevokedBeforeAward(this ILogger logger, string customerId, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit of customer {CustomerId}: order {OrderId} already processed ({Status}); nothing changed")]
    public static partial void CreditUnchanged(this ILogger logger, string customerId, string orderId, CreditEntryStatus status);
}
