using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults;

namespace OrderSaga.Sagas;

/// <summary>
/// The orders-events consumer (components/order-saga-subscriptions.yaml): OrderPlaced starts the saga of an
/// orchestrated order (a duplicate or a fast-path start before it is a no-op), OrderCancellationRequested its
/// cancellation workflow (likewise); choreographed orders and the other
/// order events are acknowledged and ignored; a malformed OrderPlaced is answered DROP (dead-lettered once).
/// </summary>
public static class OrderEventsApi
{
    public const string OrchestrationMode = "Orchestration";

    private static readonly JsonSerializerOptions EventJson = IntegrationEventJson.Options;

    public static RouteGroupBuilder MapOrderEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/events/orders").WithTags("Events").ExcludeFromDescription();
        group.MapPost("OrderPlaced", OrderPlacedAsync);
        group.MapPost("OrderCancellationRequested", OrderCancellationRequestedAsync);
        group.MapPost("ignored", Ignored);
        return group;
    }

    internal static async Task<Ok<TopicStatus>> OrderPlacedAsync(HttpRequest request, SagaStarter starter, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(OrderEventsApi).FullName!);
        OrderPlacedEvent? placed;
        try
        {
            placed = await JsonSerializer.DeserializeAsync<OrderPlacedEvent>(request.Body, EventJson, cancellationToken);
        }
        catch (JsonException error)
        {
            logger.OrderEventDropped($"OrderPlaced is not readable: {error.Message}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (placed is null || Problem(placed) is { } problem)
        {
            logger.OrderEventDropped($"OrderPlaced is invalid: {(placed is null ? "empty body" : Problem(placed))}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (placed.SagaMode != OrchestrationMode)
        {
            logger.OrderEventIgnored("OrderPlaced", $"order {placed.OrderId} is in saga mode {placed.SagaMode}");
            return TypedResults.Ok(TopicStatus.Success);
        }

        await starter.StartAsync(placed.ToSnapshot(), "OrderPlaced " + placed.EventId, cancellationToken);
        return TypedResults.Ok(TopicStatus.Success);
    }

    /// <summary>A customer cancelled a confirmed orchestrated order: start its cancellation workflow (a repeat is a no-op).</summary>
    internal static async Task<Ok<TopicStatus>> OrderCancellationRequestedAsync(
        HttpRequest request, SagaStarter starter, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(OrderEventsApi).FullName!);
        OrderCancellationRequestedEvent? cancelled;
        try
        {
            cancelled = await JsonSerializer.DeserializeAsync<OrderCancellationRequestedEvent>(request.Body, EventJson, cancellationToken);
        }
        catch (JsonException error)
        {
            logger.OrderEventDropped($"OrderCancellationRequested is not readable: {error.Message}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (cancelled is null || !Regex.IsMatch(cancelled.OrderId, SagaPatterns.Id) || !Regex.IsMatch(cancelled.CustomerId, SagaPatterns.Id))
        {
            logger.OrderEventDropped("OrderCancellationRequested is invalid: orderId or customerId is missing or unusable");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (cancelled.SagaMode != OrchestrationMode)
        {
            logger.OrderEventIgnored("OrderCancellationRequested", $"order {cancelled.OrderId} is in saga mode {cancelled.SagaMode}");
            return TypedResults.Ok(TopicStatus.Success);
        }

        await starter.StartCancellationAsync(cancelled.ToCancellation(), "OrderCancellationRequested " + cancelled.EventId, cancellationToken);
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static Ok<TopicStatus> Ignored(ILoggerFactory loggers)
    {
        loggers.CreateLogger(typeof(OrderEventsApi).FullName!).OrderEventIgnored("(another order event)", "sagas start from OrderPlaced and OrderCancellationRequested only");
        return TypedResults.Ok(TopicStatus.Success);
    }

    private static string? Problem(OrderPlacedEvent e) =>
        !Regex.IsMatch(e.OrderId, SagaPatterns.Id) ? "orderId is missing or unusable"
        : !Regex.IsMatch(e.CustomerId, SagaPatterns.Id) ? "customerId is missing or unusable"
        : e.Lines.Count == 0 || e.Lines.Any(l => l.Quantity < 1 || l.UnitPrice < 0) ? "lines are missing or invalid"
        : e.Currency.Length != 3 ? "currency is not an ISO code"
        : e.Total < 0 ? "total is negative"
        : null;
}
