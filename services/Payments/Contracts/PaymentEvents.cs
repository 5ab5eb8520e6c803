namespace Payments.Contracts;

// The events of topic "payments" (CloudEvent type = the record name). Consumers keep their own copies of the
// fields they read. eventId is "<aggregate id>:<version>": the payment id for payment events, "credit:<customer id>"
// for credit events, so a transaction the app retries yields the same eventId under a new CloudEvent id.

public sealed record PaymentSucceeded(
    string EventId, string OrderId, string CustomerId, string PaymentId, decimal Amount, string Currency, long Version, DateTimeOffset OccurredAt);

public sealed record PaymentFailed(
    string EventId, string OrderId, string CustomerId, string PaymentId, decimal Amount, string Currency, long Version, DateTimeOffset OccurredAt, string Reason);

public sealed record PaymentRefunded(
    string EventId, string OrderId, string CustomerId, string PaymentId, decimal Amount, string Currency, long Version, DateTimeOffset OccurredAt, string Reason);

/// <summary>Points added to a customer's balance for an order.</summary>
public sealed record CreditAwarded(
    string EventId, string CustomerId, string OrderId, int Points, long Balance, long Version, DateTimeOffset OccurredAt);

/// <summary>Points taken back for an order; 0 points when the revocation arrived before the award (which is then never applied).</summary>
public sealed record CreditRevoked(
    string EventId, string CustomerId, string OrderId, int Points, long Balance, long Version, DateTimeOffset OccurredAt);
