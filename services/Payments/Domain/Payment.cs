using System.Text.Json.Serialization;

namespace Payments.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    /// <summary>Recorded before the gateway is called, so only one request per order goes on to charge.</summary>
    Pending,
    Succeeded,
    /// <summary>The gateway declined: a recorded outcome, never retried against the gateway.</summary>
    Failed,
    Refunded,

    /// <summary>
    /// A choreographed charge the gateway did not answer in time: reported as failed (PaymentFailed), while the
    /// gateway's late outcome is still awaited — a late approval is refunded (Refunded), a late decline is Failed.
    /// </summary>
    TimedOut,
}

/// <summary>What a caller asks to charge for an order.</summary>
public sealed record ChargeCommand(string OrderId, string CustomerId, decimal Amount, string Currency);

/// <summary>
/// The payment of one order (key: the order id). Persisted as is; every change raises the version.
/// <see cref="SucceededAt"/> keeps when the charge succeeded after a refund moved <see cref="UpdatedAt"/> on, so
/// the read side's rebuild can restore the PaymentSucceeded it saw (null on records written before it existed).
/// <see cref="TimedOutAt"/> likewise keeps when a timed-out payment's PaymentFailed went out, after its late
/// outcome (Refunded or Failed) moved <see cref="UpdatedAt"/> on; <see cref="FailureReason"/> then stays the
/// timeout's reason, the one PaymentFailed carried.
/// </summary>
public sealed record Payment(
    string OrderId,
    string PaymentId,
    string CustomerId,
    decimal Amount,
    string Currency,
    PaymentStatus Status,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? GatewayReference = null,
    string? FailureReason = null,
    string? RefundReason = null,
    DateTimeOffset? SucceededAt = null,
    DateTimeOffset? TimedOutAt = null)
{
    /// <summary>The reason of the PaymentFailed a timed-out charge publishes.</summary>
    public const string TimeoutReason = "payment timed out";

    /// <summary>The refund reason of a charge the gateway approved after the payment had timed out.</summary>
    public const string LateChargeRefundReason = "the gateway approved the charge after the payment timed out";

    public static Payment Start(ChargeCommand command, DateTimeOffset now) => new(
        command.OrderId,
        Identifiers.PaymentIdFor(command.OrderId),
        command.CustomerId,
        command.Amount,
        command.Currency,
        PaymentStatus.Pending,
        Version: 1,
        CreatedAt: now,
        UpdatedAt: now);

    /// <summary>A charge for this order with another customer, amount or currency is a different request, not a retry.</summary>
    public bool IsSameCharge(ChargeCommand command) =>
        command.OrderId == OrderId && command.CustomerId == CustomerId && command.Amount == Amount && command.Currency == Currency;

    public Payment Succeed(string gatewayReference, DateTimeOffset now) =>
        Status == PaymentStatus.Pending
            ? this with { Status = PaymentStatus.Succeeded, GatewayReference = gatewayReference, Version = Version + 1, UpdatedAt = now, SucceededAt = now }
            : throw new InvalidOperationException($"A {Status} payment cannot succeed; only a pending one can.");

    public Payment Fail(string reason, DateTimeOffset now) =>
        Status == PaymentStatus.Pending
            ? this with { Status = PaymentStatus.Failed, FailureReason = reason, Version = Version + 1, UpdatedAt = now }
            : throw new InvalidOperationException($"A {Status} payment cannot fail; only a pending one can.");

    /// <summary>The gateway did not answer in time: the payment counts as failed, its late outcome is still to come.</summary>
    public Payment TimeOut(DateTimeOffset now) =>
        Status == PaymentStatus.Pending
            ? this with { Status = PaymentStatus.TimedOut, FailureReason = TimeoutReason, Version = Version + 1, UpdatedAt = now, TimedOutAt = now }
            : throw new InvalidOperationException($"A {Status} payment cannot time out; only a pending one can.");

    /// <summary>
    /// The gateway's late outcome of a timed-out payment. An approval charged a customer whose order was already
    /// cancelled, so it is refunded (the caller refunds at the gateway first); a decline only settles the record —
    /// PaymentFailed went out at the timeout, so nothing new is reported. <see cref="FailureReason"/> stays the
    /// timeout's reason, the one that was published.
    /// </summary>
    public Payment SettleLate(GatewayDecision decision, string gatewayReference, DateTimeOffset now)
    {
        if (Status != PaymentStatus.TimedOut)
        {
            throw new InvalidOperationException($"A {Status} payment has no late outcome to settle; only a timed-out one has.");
        }

        return decision switch
        {
            GatewayDecision.Approved => this with
            {
                Status = PaymentStatus.Refunded, GatewayReference = gatewayReference, RefundReason = LateChargeRefundReason, Version = Version + 1, UpdatedAt = now,
            },
            _ => this with { Status = PaymentStatus.Failed, GatewayReference = gatewayReference, Version = Version + 1, UpdatedAt = now },
        };
    }

    /// <summary>The refund rules: only a succeeded payment is refunded, once; a refunded one is answered again.</summary>
    public RefundDecision DecideRefund(string reason, DateTimeOffset now) => Status switch
    {
        PaymentStatus.Succeeded => new RefundDecision.Refund(
            this with { Status = PaymentStatus.Refunded, RefundReason = reason, Version = Version + 1, UpdatedAt = now }),
        PaymentStatus.Refunded => new RefundDecision.AlreadyRefunded(this),
        PaymentStatus.Failed => new RefundDecision.Refused("The payment failed; nothing was charged, so there is nothing to refund."),
        PaymentStatus.TimedOut => new RefundDecision.Refused("The payment timed out; a late charge by the gateway is refunded automatically."),
        _ => new RefundDecision.Refused("The payment is still pending at the gateway; retry the refund once it has settled."),
    };
}

public abstract record RefundDecision
{
    private RefundDecision()
    {
    }

    public sealed record Refund(Payment Refunded) : RefundDecision;

    public sealed record AlreadyRefunded(Payment Payment) : RefundDecision;

    public sealed record Refused(string Reason) : RefundDecision;
}
