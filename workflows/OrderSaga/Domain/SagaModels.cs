using System.Text.Json.Serialization;

namespace OrderSaga.Domain;

public sealed record OrderLineSnapshot(string Sku, string ProductName, int Quantity, decimal UnitPrice);

/// <summary>What the saga needs of an order: from the OrderPlaced event or from the orders fast path.</summary>
public sealed record OrderSnapshot(string OrderId, string CustomerId, IReadOnlyList<OrderLineSnapshot> Lines, string Currency, decimal Total);

/// <summary>How often and how fast a step (or a compensation) is retried by the workflow retry policy.</summary>
public sealed record RetrySettings(int MaxAttempts, TimeSpan FirstInterval, TimeSpan MaxInterval);

/// <summary>
/// The settings one saga runs with. They travel in the workflow input (workflows take no dependencies, DAPR1305),
/// so a saga keeps the settings it started with across replays and restarts.
/// </summary>
public sealed record SagaSettings(
    decimal? ReviewAbove,
    TimeSpan ReviewTimeout,
    TimeSpan PaymentTimeout,
    RetrySettings Steps,
    RetrySettings Compensations);

public sealed record FulfillmentInput(OrderSnapshot Order, SagaSettings Settings);

/// <summary>A customer's cancellation of a confirmed order: from OrderCancellationRequested or the orders fast path.</summary>
public sealed record CancellationRequest(string OrderId, string CustomerId, string Reason);

public sealed record CancellationInput(CancellationRequest Cancellation, SagaSettings Settings);

/// <summary>The external event <c>review</c>: a reviewer's decision on a large order.</summary>
public sealed record ReviewDecision(bool Approved, string? Reviewer = null);

[JsonConverter(typeof(JsonStringEnumConverter<SagaState>))]
public enum SagaState
{
    Running,
    Compensating,
    Completed,
    Compensated,
    /// <summary>A compensation or a post-confirmation step kept failing: the reconciliation job (or a person) must repair it.</summary>
    NeedsRepair,
}

[JsonConverter(typeof(JsonStringEnumConverter<SagaStep>))]
public enum SagaStep
{
    Started,
    ReserveStock,
    AwaitReview,
    ChargePayment,
    ConfirmOrder,
    CommitStock,
    AwardCredit,
    RefundPayment,
    ReleaseStock,
    CancelOrder,

    /// <summary>A customer cancellation: the committed units come back to available (inventory's return).</summary>
    ReturnStock,

    /// <summary>A customer cancellation: the order's credit points are taken back.</summary>
    RevokeCredit,
    Finished,
}

public sealed record SagaHistoryEntry(DateTimeOffset At, SagaStep Step, string Outcome, string? Detail = null);

/// <summary>The saga's visible progress: the workflow's custom status while it runs and its output at the end.</summary>
public sealed record SagaProgress(
    SagaState State,
    SagaStep Step,
    string? Reason,
    IReadOnlyList<SagaHistoryEntry> History,
    IReadOnlyList<string> Errors);
