using System.ComponentModel.DataAnnotations;
using Payments.Contracts;
using Payments.Domain;

namespace Payments.Charges;

public sealed record ChargeRequest(
    [property: Required, RegularExpression(Identifiers.Pattern)] string OrderId,
    [property: Required, RegularExpression(Identifiers.Pattern)] string CustomerId,
    decimal Amount,
    [property: Required, StringLength(3, MinimumLength = 3)] string Currency);

public sealed record RefundRequest(
    [property: Required, StringLength(500, MinimumLength = 1)] string Reason);

public sealed record PaymentResponse(
    string OrderId,
    string PaymentId,
    string CustomerId,
    decimal Amount,
    string Currency,
    PaymentStatus Status,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? FailureReason,
    string? RefundReason,
    DateTimeOffset? SucceededAt = null,
    DateTimeOffset? TimedOutAt = null);

internal static class PaymentMappings
{
    public static ChargeCommand ToCommand(this ChargeRequest request) => new(request.OrderId, request.CustomerId, request.Amount, request.Currency);

    public static PaymentResponse ToResponse(this Payment payment) => new(
        payment.OrderId,
        payment.PaymentId,
        payment.CustomerId,
        payment.Amount,
        payment.Currency,
        payment.Status,
        payment.Version,
        payment.CreatedAt,
        payment.UpdatedAt,
        payment.FailureReason,
        payment.RefundReason,
        payment.SucceededAt,
        payment.TimedOutAt);

    public static PaymentSucceeded ToSucceeded(this Payment payment) => new(
        EventId(payment), payment.OrderId, payment.CustomerId, payment.PaymentId, payment.Amount, payment.Currency, payment.Version, payment.UpdatedAt);

    public static PaymentFailed ToFailed(this Payment payment) => new(
        EventId(payment), payment.OrderId, payment.CustomerId, payment.PaymentId, payment.Amount, payment.Currency, payment.Version, payment.UpdatedAt,
        payment.FailureReason ?? string.Empty);

    public static PaymentRefunded ToRefunded(this Payment payment) => new(
        EventId(payment), payment.OrderId, payment.CustomerId, payment.PaymentId, payment.Amount, payment.Currency, payment.Version, payment.UpdatedAt,
        payment.RefundReason ?? string.Empty);

    private static string EventId(Payment payment) => $"{payment.PaymentId}:{payment.Version}";
}
