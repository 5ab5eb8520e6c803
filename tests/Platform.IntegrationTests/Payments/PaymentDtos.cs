namespace Platform.IntegrationTests.PaymentsService;

// The test's own view of the payments API (tolerant reader; enums as strings).
public sealed record PaymentDto(
    string OrderId, string PaymentId, string CustomerId, decimal Amount, string Currency, string Status, long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? FailureReason, string? RefundReason);

public sealed record GatewayChargeDto(string IdempotencyKey, string CustomerId, decimal Amount, string Currency, string? Outcome, string? DeclineReason, int Requests, int Charges, int Refunds);

public sealed record CreditOperationDto(string CustomerId, string OrderId, int Points, string Status, long Balance, long Version);

public sealed record CreditOrderDto(string OrderId, int Points, string Status, DateTimeOffset UpdatedAt);

public sealed record CreditAccountDto(string CustomerId, long Balance, long Version, IReadOnlyList<CreditOrderDto> Orders);
