using System.Text.Json;
using OrderQuery.Domain;
using ServiceDefaults;

namespace OrderQuery.Projections;

// Our copies of the fields we read from the producers' events (tolerant reader: unknown fields are ignored, a
// missing required one makes the event malformed). The producers' records live in services/*/Contracts/.

internal sealed record OrderPlacedLineCopy(string Sku, string ProductName, int Quantity, decimal UnitPrice);

internal sealed record OrderPlacedCopy(
    string EventId, string OrderId, string CustomerId, long Version, string SagaMode, IReadOnlyList<OrderPlacedLineCopy> Lines, string Currency, decimal Total, DateTimeOffset OccurredAt);

internal sealed record OrderConfirmedCopy(string EventId, string OrderId, string CustomerId, long Version, DateTimeOffset OccurredAt);

internal sealed record OrderCancellationRequestedCopy(string EventId, string OrderId, string CustomerId, long Version, string Reason, DateTimeOffset OccurredAt);

internal sealed record OrderReviewedCopy(string EventId, string OrderId, string CustomerId, long Version, string Reviewer, DateTimeOffset OccurredAt);

internal sealed record OrderCancelledCopy(string EventId, string OrderId, string CustomerId, long Version, string Reason, DateTimeOffset OccurredAt);

internal sealed record PaymentEventCopy(
    string EventId, string OrderId, string CustomerId, string PaymentId, decimal Amount, string Currency, long Version, DateTimeOffset OccurredAt, string? Reason = null);

internal sealed record CreditEventCopy(string EventId, string CustomerId, string OrderId, int Points, long Version, DateTimeOffset OccurredAt);

internal sealed record StockLineCopy(string Sku, int Quantity);

internal sealed record StockEventCopy(string EventId, string OrderId, long Version, DateTimeOffset OccurredAt, IReadOnlyList<StockLineCopy>? Lines = null, string? Reason = null);

internal sealed record ProductEventCopy(string EventId, string Sku, long Version, string Name, string Category, decimal Price, string Currency, bool Active, DateTimeOffset OccurredAt);

/// <summary>An event as the projection understands it, or why it cannot be used.</summary>
internal abstract record ParsedEvent
{
    public sealed record ForOrder(OrderFact Fact) : ParsedEvent;

    public sealed record ForProduct(string EventId, string EventType, ProductView Product) : ParsedEvent;

    public sealed record Unusable(string Reason) : ParsedEvent;
}

internal static class IncomingEvents
{
    public const int MaxIdLength = 200;

    /// <summary>The event types each topic's subscription routes to us (components/order-query-subscriptions.yaml).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> TypesByTopic = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
    {
        [DaprNames.OrdersTopic] = new HashSet<string>(StringComparer.Ordinal) { "OrderPlaced", "OrderConfirmed", "OrderReviewed", "OrderCancellationRequested", "OrderCancelled" },
        [DaprNames.PaymentsTopic] = new HashSet<string>(StringComparer.Ordinal) { "PaymentSucceeded", "PaymentFailed", "PaymentRefunded", "CreditAwarded", "CreditRevoked" },
        [DaprNames.InventoryTopic] = new HashSet<string>(StringComparer.Ordinal) { "StockReserved", "StockRejected", "StockReleased", "StockCommitted", "StockReturned" },
        [DaprNames.CatalogTopic] = new HashSet<string>(StringComparer.Ordinal) { "ProductCreated", "ProductUpdated", "ProductPriceChanged" },
    };

    internal static readonly JsonSerializerOptions EventJson = IntegrationEventJson.Options;

    public static ParsedEvent Parse(string topic, string eventType, JsonElement body)
    {
        if (!TypesByTopic.TryGetValue(topic, out var types) || !types.Contains(eventType))
        {
            return new ParsedEvent.Unusable($"no projection for {eventType} on topic {topic}");
        }

        try
        {
            return eventType switch
            {
                "OrderPlaced" => OrderPlaced(body.Deserialize<OrderPlacedCopy>(EventJson)!),
                "OrderConfirmed" => body.Deserialize<OrderConfirmedCopy>(EventJson) is var c && Common(c!.EventId, c.OrderId, c.Version) is { } p1 ? Unusable(p1)
                    : Required(c.CustomerId, "customerId") ?? Order(new OrderConfirmedFact(c.EventId, c.OrderId, c.Version, c.OccurredAt, c.CustomerId)),
                "OrderCancellationRequested" => body.Deserialize<OrderCancellationRequestedCopy>(EventJson) is var r && Common(r!.EventId, r.OrderId, r.Version) is { } p4 ? Unusable(p4)
                    : Required(r.CustomerId, "customerId") ?? Order(new OrderCancellationRequestedFact(r.EventId, r.OrderId, r.Version, r.OccurredAt, r.CustomerId, r.Reason)),
                "OrderReviewed" => body.Deserialize<OrderReviewedCopy>(EventJson) is var v && Common(v!.EventId, v.OrderId, v.Version) is { } p5 ? Unusable(p5)
                    : Required(v.CustomerId, "customerId") ?? Order(new OrderReviewedFact(v.EventId, v.OrderId, v.Version, v.OccurredAt, v.CustomerId, v.Reviewer)),
                "OrderCancelled" => body.Deserialize<OrderCancelledCopy>(EventJson) is var x && Common(x!.EventId, x.OrderId, x.Version) is { } p2 ? Unusable(p2)
                    : Required(x.CustomerId, "customerId") ?? Order(new OrderCancelledFact(x.EventId, x.OrderId, x.Version, x.OccurredAt, x.CustomerId, x.Reason)),
                "PaymentSucceeded" or "PaymentFailed" or "PaymentRefunded" => Payment(eventType, body.Deserialize<PaymentEventCopy>(EventJson)!),
                "CreditAwarded" or "CreditRevoked" => body.Deserialize<CreditEventCopy>(EventJson) is var k && Common(k!.EventId, k.OrderId, k.Version) is { } p3 ? Unusable(p3)
                    : Order(new CreditFact(k.EventId, k.OrderId, k.Version, k.OccurredAt, eventType == "CreditAwarded", k.Points)),
                "StockReserved" or "StockRejected" or "StockReleased" or "StockCommitted" or "StockReturned" => Stock(eventType, body.Deserialize<StockEventCopy>(EventJson)!),
                _ => Product(eventType, body.Deserialize<ProductEventCopy>(EventJson)!),
            };
        }
        catch (JsonException ex)
        {
            return new ParsedEvent.Unusable($"{eventType} does not match its contract: {ex.Message}");
        }
    }

    private static ParsedEvent OrderPlaced(OrderPlacedCopy e)
    {
        if ((Common(e.EventId, e.OrderId, e.Version) ?? (e.Lines.Count == 0 ? "an order has lines" : null)
            ?? (e.Lines.Any(l => l.Quantity < 1 || l.UnitPrice < 0 || string.IsNullOrWhiteSpace(l.Sku)) ? "a line has no sku, a quantity below 1 or a negative price" : null)) is { } problem)
        {
            return Unusable(problem);
        }

        return Required(e.CustomerId, "customerId") ?? Required(e.Currency, "currency") ?? Order(new OrderPlacedFact(
            e.EventId, e.OrderId, e.Version, e.OccurredAt, e.CustomerId, e.SagaMode,
            [.. e.Lines.Select(l => new SummaryLine(l.Sku, l.ProductName, l.Quantity, l.UnitPrice, l.UnitPrice * l.Quantity))], e.Currency, e.Total));
    }

    private static ParsedEvent Payment(string eventType, PaymentEventCopy e)
    {
        var status = Enum.Parse<PaymentState>(eventType["Payment".Length..]);
        return (Common(e.EventId, e.OrderId, e.Version) ?? (status != PaymentState.Succeeded && e.Reason is null ? $"{eventType} needs a reason" : null)) is { } problem
            ? Unusable(problem)
            : Order(new PaymentFact(e.EventId, e.OrderId, e.Version, e.OccurredAt, status, e.CustomerId, e.PaymentId, e.Amount, e.Currency, status == PaymentState.Succeeded ? null : e.Reason));
    }

    private static ParsedEvent Stock(string eventType, StockEventCopy e)
    {
        var status = Enum.Parse<StockState>(eventType["Stock".Length..]);
        return Common(e.EventId, e.OrderId, e.Version) is { } problem
            ? Unusable(problem)
            : Order(new StockFact(e.EventId, e.OrderId, e.Version, e.OccurredAt, status, e.Lines?.Sum(l => l.Quantity) ?? 0, status == StockState.Rejected ? e.Reason ?? "rejected" : null));
    }

    private static ParsedEvent Product(string eventType, ProductEventCopy e) =>
        (Common(e.EventId, e.Sku, e.Version) ?? (string.IsNullOrWhiteSpace(e.Name) ? "name is missing" : e.Price < 0 ? "price is negative" : null)) is { } problem
            ? Unusable(problem)
            : new ParsedEvent.ForProduct(e.EventId, eventType, new ProductView(e.Sku, e.Name, e.Category, e.Price, e.Currency, e.Active, e.Version, e.OccurredAt));

    private static string? Common(string eventId, string aggregateId, long version) =>
        string.IsNullOrWhiteSpace(eventId) || eventId.Length > MaxIdLength ? "eventId is missing or too long"
        : string.IsNullOrWhiteSpace(aggregateId) || aggregateId.Length > MaxIdLength ? "the aggregate id is missing or too long"
        : version < 1 ? "version must be at least 1"
        : null;

#pragma warning disable CA1859 // ParsedEvent on purpose: these helpers meet in conditional expressions of that type.
    private static ParsedEvent? Required(string value, string name) => string.IsNullOrWhiteSpace(value) ? new ParsedEvent.Unusable($"{name} is missing") : null;

    private static ParsedEvent Unusable(string reason) => new ParsedEvent.Unusable(reason);

    private static ParsedEvent Order(OrderFact fact) => new ParsedEvent.ForOrder(fact);
#pragma warning restore CA1859
}
