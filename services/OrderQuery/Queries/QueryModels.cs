using OrderQuery.Domain;
using OrderQuery.Storage;

namespace OrderQuery.Queries;

public sealed record OrderPart(OrderState? Status, long Version, DateTimeOffset? PlacedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? CancelledAt, string? CancellationReason);

public sealed record PaymentPart(PaymentState Status, long Version, string? PaymentId, decimal? Amount, string? Reason);

public sealed record StockPart(StockState Status, long Version, string? Reason);

public sealed record LineResponse(string Sku, string ProductName, int Quantity, decimal UnitPrice, decimal LineTotal);

public sealed record TimelineResponse(string Source, string EventType, string EventId, long Version, DateTimeOffset OccurredAt, string Detail);

/// <summary><c>GET /orders/{id}/summary</c>: everything the events said about the order, and how fresh the view is.</summary>
public sealed record OrderSummaryResponse(
    string OrderId,
    string? CustomerId,
    SagaStatus SagaStatus,
    string? SagaReason,
    string? SagaMode,
    IReadOnlyList<LineResponse> Lines,
    string? Currency,
    decimal? Total,
    OrderPart Order,
    PaymentPart? Payment,
    StockPart? Stock,
    IReadOnlyList<TimelineResponse> Timeline,
    DateTimeOffset UpdatedAt,
    double? StalenessMs);

public sealed record CustomerOrderItem(string OrderId, SagaStatus SagaStatus, string? SagaReason, string? Currency, decimal? Total, int LineCount, DateTimeOffset? PlacedAt);

public sealed record CustomerOrderPage(IReadOnlyList<CustomerOrderItem> Items, int Page, int PageSize, long Total);

public sealed record ProductSearchHit(string Sku, string Name, string Category, decimal Price, string Currency, long Version, float Rank);

public sealed record ProductSearchPage(IReadOnlyList<ProductSearchHit> Items, int Page, int PageSize, long Total);

/// <summary>Staleness (event occurredAt → visible in the view) over the last <see cref="Window"/> live updates.</summary>
public sealed record StalenessResponse(int Window, long Count, double? P50Ms, double? P99Ms, double? MaxMs);

internal static class QueryMapping
{
    public static OrderSummaryResponse ToResponse(this StoredSummary stored)
    {
        var s = stored.Summary;
        return new OrderSummaryResponse(
            s.OrderId, s.CustomerId, s.SagaStatus, s.SagaReason, s.SagaMode,
            [.. s.Lines.Select(l => new LineResponse(l.Sku, l.ProductName, l.Quantity, l.UnitPrice, l.LineTotal))],
            s.Currency, s.Total,
            new OrderPart(s.OrderStatus, s.OrderVersion, s.PlacedAt, s.ConfirmedAt, s.CancelledAt, s.CancellationReason),
            s.PaymentStatus is { } payment ? new PaymentPart(payment, s.PaymentVersion, s.PaymentId, s.PaymentAmount, s.PaymentReason) : null,
            s.StockStatus is { } stock ? new StockPart(stock, s.StockVersion, s.StockReason) : null,
            [.. s.Timeline.Select(t => new TimelineResponse(t.Source, t.EventType, t.EventId, t.Version, t.OccurredAt, t.Detail))],
            stored.UpdatedAt, stored.StalenessMs);
    }

    public static CustomerOrderItem ToItem(this OrderSummary s) =>
        new(s.OrderId, s.SagaStatus, s.SagaReason, s.Currency, s.Total, s.Lines.Count, s.PlacedAt);

    public static ProductSearchHit ToHit(this ProductHit p) => new(p.Sku, p.Name, p.Category, p.Price, p.Currency, p.Version, p.Rank);
}
