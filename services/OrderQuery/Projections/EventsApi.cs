using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ServiceDefaults;

namespace OrderQuery.Projections;

/// <summary>
/// The consumer of the orders, payments, inventory and catalog topics. The subscriptions are declarative
/// (components/order-query-subscriptions.yaml): routing rules on the CloudEvent type send each event to
/// /events/{topic}/{type}, anything else to /events/{topic}/unrouted. Unknown or malformed events are answered
/// DROP with a log line (dead-lettered to &lt;topic&gt;-dlq once, never retried); a database failure is a 500, retried
/// by the resiliency policy.
/// </summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/events").WithTags("Events").ExcludeFromDescription();
        group.MapPost("{topic}/unrouted", DropUnrouted);
        group.MapPost("{topic}/{eventType}", HandleAsync);
        return group;
    }

    internal static async Task<Ok<TopicStatus>> HandleAsync(
        string topic, string eventType, HttpRequest request, EventProjector projector, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(EventsApi).FullName!);
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            logger.EventDropped(topic, eventType, $"the body is not JSON: {ex.Message}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        var parsed = IncomingEvents.Parse(topic, eventType, body);
        if (parsed is ParsedEvent.Unusable unusable)
        {
            logger.EventDropped(topic, eventType, unusable.Reason);
            return TypedResults.Ok(TopicStatus.Drop);
        }

        await projector.ProjectAsync(parsed, cancellationToken);
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static Ok<TopicStatus> DropUnrouted(string topic, ILoggerFactory loggers)
    {
        loggers.CreateLogger(typeof(EventsApi).FullName!).EventDropped(topic, "(unrouted)", "no route for this event type");
        return TypedResults.Ok(TopicStatus.Drop);
    }
}
