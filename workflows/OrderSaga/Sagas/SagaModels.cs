using System.ComponentModel.DataAnnotations;
using OrderSaga.Domain;

namespace OrderSaga.Sagas;

public static class SagaPatterns
{
    /// <summary>Ids that are safe in state keys and URLs (the services' own pattern).</summary>
    public const string Id = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$";
}

public sealed record StartSagaLine(
    [property: Required, RegularExpression(SagaPatterns.Id)] string Sku,
    [property: Required] string ProductName,
    [property: Range(1, int.MaxValue)] int Quantity,
    [property: Range(typeof(decimal), "0", "1000000000000")] decimal UnitPrice);

/// <summary>The body of <c>POST /sagas</c>: the placed order's snapshot (the orders fast path sends it).</summary>
public sealed record StartSagaRequest(
    [property: Required, RegularExpression(SagaPatterns.Id)] string OrderId,
    [property: Required, RegularExpression(SagaPatterns.Id)] string CustomerId,
    [property: Required, MinLength(1)] IReadOnlyList<StartSagaLine> Lines,
    [property: Required, StringLength(3, MinimumLength = 3)] string Currency,
    [property: Range(typeof(decimal), "0", "1000000000000")] decimal Total);

public sealed record StartSagaResponse(string OrderId, bool Started);

/// <summary>The body of <c>POST /sagas/{orderId}/cancellation</c>: the orders fast path of a customer cancellation.</summary>
public sealed record StartCancellationRequest(
    [property: Required, RegularExpression(SagaPatterns.Id)] string CustomerId,
    [property: StringLength(SagaRules.MaxReasonLength)] string? Reason = null);

/// <summary>The body of <c>POST /sagas/{orderId}/review</c>.</summary>
public sealed record ReviewRequest(bool Approved, [property: StringLength(100)] string? Reviewer = null);

/// <summary>
/// A saga as its callers see it. <see cref="Status"/>: running, completed, compensated or needs-repair (a
/// compensation or post-confirmation step kept failing, or the workflow itself failed: see <see cref="Errors"/>).
/// </summary>
public sealed record SagaStatusResponse(
    string OrderId,
    string Status,
    SagaState? State,
    SagaStep? Step,
    string? Reason,
    IReadOnlyList<string> Errors,
    IReadOnlyList<SagaHistoryEntry> History,
    string RuntimeStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt);

/// <summary>Our copy of the orders service's OrderPlaced event (tolerant reader: only the fields we use).</summary>
internal sealed record OrderPlacedEvent(
    string EventId,
    string OrderId,
    string CustomerId,
    long Version,
    string SagaMode,
    IReadOnlyList<OrderPlacedLine> Lines,
    string Currency,
    decimal Total);

internal sealed record OrderPlacedLine(string Sku, string ProductName, int Quantity, decimal UnitPrice);

/// <summary>Our copy of the orders service's OrderCancellationRequested event (the fields we use).</summary>
internal sealed record OrderCancellationRequestedEvent(string EventId, string OrderId, string CustomerId, long Version, string SagaMode, string? Reason = null);

internal static class SagaMapping
{
    public static OrderSnapshot ToSnapshot(this StartSagaRequest request) => new(
        request.OrderId, request.CustomerId,
        [.. request.Lines.Select(l => new OrderLineSnapshot(l.Sku, l.ProductName, l.Quantity, l.UnitPrice))],
        request.Currency, request.Total);

    public static OrderSnapshot ToSnapshot(this OrderPlacedEvent placed) => new(
        placed.OrderId, placed.CustomerId,
        [.. placed.Lines.Select(l => new OrderLineSnapshot(l.Sku, l.ProductName, l.Quantity, l.UnitPrice))],
        placed.Currency, placed.Total);

    public const string DefaultCancellationReason = "Cancelled by the customer";

    public static CancellationRequest ToCancellation(this StartCancellationRequest request, string orderId) =>
        new(orderId, request.CustomerId, string.IsNullOrWhiteSpace(request.Reason) ? DefaultCancellationReason : request.Reason);

    public static CancellationRequest ToCancellation(this OrderCancellationRequestedEvent cancelled) =>
        new(cancelled.OrderId, cancelled.CustomerId, string.IsNullOrWhiteSpace(cancelled.Reason) ? DefaultCancellationReason : SagaRules.Cap(cancelled.Reason));

    public static string ToApiStatus(this SagaState state) => state switch
    {
        SagaState.Completed => "completed",
        SagaState.Compensated => "compensated",
        SagaState.NeedsRepair => "needs-repair",
        _ => "running",
    };
}
