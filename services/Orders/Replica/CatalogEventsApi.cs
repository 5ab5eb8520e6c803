using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Orders.Domain;
using Orders.Ordering;
using ServiceDefaults;

namespace Orders.Replica;

/// <summary>Our copy of the catalog's product snapshot events (tolerant reader: only the fields we use).</summary>
internal sealed record CatalogProductEvent(string EventId, string Sku, long Version, string Name, decimal Price, string Currency, bool Active, DateTimeOffset OccurredAt);

/// <summary>
/// The catalog-events consumer. The subscription is declarative (components/orders-subscriptions.yaml): routing
/// rules on the CloudEvent type send each product event to /events/catalog/{type}, anything else to
/// /events/catalog/unrouted. A malformed or unknown event is answered DROP (dead-lettered once, never retried).
/// </summary>
public static class CatalogEventsApi
{
    public static readonly IReadOnlySet<string> ProductEventTypes = new HashSet<string>(StringComparer.Ordinal) { "ProductCreated", "ProductUpdated", "ProductPriceChanged" };

    internal static readonly JsonSerializerOptions EventJson = IntegrationEventJson.Options;

    public static RouteGroupBuilder MapCatalogEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/events/catalog").WithTags("Events").ExcludeFromDescription();
        group.MapPost("unrouted", DropUnrouted);
        group.MapPost("{eventType}", HandleProductEventAsync);
        return group;
    }

    internal static async Task<Ok<TopicStatus>> HandleProductEventAsync(
        string eventType, HttpRequest request, PriceReplica replica, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(CatalogEventsApi).FullName!);
        if (!ProductEventTypes.Contains(eventType))
        {
            logger.CatalogEventDropped($"unknown event type {eventType}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        CatalogProductEvent? productEvent;
        try
        {
            productEvent = await JsonSerializer.DeserializeAsync<CatalogProductEvent>(request.Body, EventJson, cancellationToken);
        }
        catch (JsonException ex)
        {
            logger.CatalogEventDropped($"{eventType} is not a product snapshot: {ex.Message}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (productEvent is null || Problem(productEvent) is { } problem)
        {
            logger.CatalogEventDropped($"{eventType} is invalid: {(productEvent is null ? "empty body" : Problem(productEvent))}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        var incoming = new ProductPrice(productEvent.Sku, productEvent.Name, productEvent.Price, productEvent.Currency, productEvent.Active, productEvent.Version);
        var outcome = await replica.ApplyAsync(productEvent.EventId, eventType, incoming, cancellationToken);
        logger.CatalogEventHandled(productEvent.EventId, eventType, productEvent.Sku, productEvent.Version, outcome.ToString());
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static Ok<TopicStatus> DropUnrouted(ILoggerFactory loggers)
    {
        loggers.CreateLogger(typeof(CatalogEventsApi).FullName!).CatalogEventDropped("no route for this event type on topic catalog");
        return TypedResults.Ok(TopicStatus.Drop);
    }

    private static string? Problem(CatalogProductEvent e) =>
        string.IsNullOrWhiteSpace(e.EventId) || e.EventId.Contains("||", StringComparison.Ordinal) || e.EventId.Length > 200 ? "eventId is missing or unusable"
        : !Regex.IsMatch(e.Sku, OrderPatterns.Sku) ? $"sku '{e.Sku}' is not a valid sku"
        : e.Version < 1 ? "version must be at least 1"
        : string.IsNullOrWhiteSpace(e.Name) ? "name is missing"
        : e.Price < 0 ? "price is negative"
        : !Currencies.IsSupported(e.Currency) ? $"currency '{e.Currency}' is not supported"
        : null;
}
