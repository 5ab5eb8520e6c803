using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orders.Domain;
using Orders.Ordering;
using Orders.Replica;
using ServiceDefaults;

namespace Orders.Choreography;

/// <summary>
/// Our copy of the fields we read of PaymentSucceeded, PaymentFailed, PaymentRefunded (topic payments) and
/// StockRejected, StockReturned (topic inventory).
/// </summary>
internal sealed record SagaOutcomeEvent(string EventId, string OrderId, long Version, string? Reason = null);

/// <summary>
/// The orders participant of the choreographed saga (DESIGN §3): PaymentSucceeded confirms the order,
/// StockRejected and PaymentFailed cancel it with the reason; during a customer cancellation PaymentRefunded and
/// StockReturned report its compensations, and the second of the two completes it (Cancelled). The subscriptions are declarative
/// (components/orders-subscriptions.yaml): each type has its route, the other known types of those topics go to
/// <c>ignored/{type}</c> (SUCCESS), anything else to <c>unrouted</c> (DROP → the topic's dead-letter topic, logged).
/// Orders of the orchestrated saga are acknowledged and left alone: the order itself records its saga mode.
/// </summary>
public static class SagaEventsApi
{
    public static readonly IReadOnlySet<string> OutcomeEventTypes = new HashSet<string>(StringComparer.Ordinal) { "PaymentSucceeded", "PaymentFailed", "StockRejected", "PaymentRefunded", "StockReturned" };

    public static RouteGroupBuilder MapSagaEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/events/saga").WithTags("Events").ExcludeFromDescription();
        group.MapPost("ignored/{eventType}", Ignore);
        group.MapPost("unrouted", DropUnrouted);
        group.MapPost("{eventType}", HandleOutcomeAsync);
        return group;
    }

    internal static async Task<Ok<TopicStatus>> HandleOutcomeAsync(
        string eventType, HttpRequest request, OrderStore orders, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(SagaEventsApi).FullName!);
        if (!OutcomeEventTypes.Contains(eventType))
        {
            logger.SagaEventDropped(eventType, "no handler for this event type");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        SagaOutcomeEvent? received;
        try
        {
            received = await JsonSerializer.DeserializeAsync<SagaOutcomeEvent>(request.Body, CatalogEventsApi.EventJson, cancellationToken);
        }
        catch (JsonException ex)
        {
            logger.SagaEventDropped(eventType, $"not a saga outcome: {ex.Message}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (received is null || string.IsNullOrWhiteSpace(received.EventId) || string.IsNullOrWhiteSpace(received.OrderId))
        {
            logger.SagaEventDropped(eventType, "eventId or orderId is missing");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (!Guid.TryParseExact(received.OrderId, "D", out _))
        {
            // Well-formed, but not an order id this service issues (e.g. a payment made outside any order).
            logger.SagaEventHandled(eventType, received.EventId, received.OrderId, "not an order of this service; ignored");
            return TypedResults.Ok(TopicStatus.Success);
        }

        SagaOutcome outcome = eventType switch
        {
            "PaymentSucceeded" => new SagaOutcome.PaymentSucceeded(),
            "PaymentFailed" => new SagaOutcome.PaymentFailed(received.Reason ?? ""),
            "PaymentRefunded" => new SagaOutcome.CompensationDone(CancellationCompensation.Refund),
            "StockReturned" => new SagaOutcome.CompensationDone(CancellationCompensation.Restock),
            _ => new SagaOutcome.StockRejected(received.Reason ?? ""),
        };

        // The same read → decide → claim → commit protocol as the confirm/cancel endpoints: idempotent per order,
        // so duplicates and redeliveries answer AlreadyDone and publish nothing.
        var handled = await orders.WriteAsync<Handled>(
            received.OrderId,
            (document, now) => ChoreographyRules.Decide(document?.Order, outcome, now) switch
            {
                ChoreographyDecision.NotOurs notOurs => new WriteDecision<Handled>.Answer(new Handled(TopicStatus.Success, $"ignored: {notOurs.Why}")),
                ChoreographyDecision.Transition { Result: TransitionResult.Changed changed } =>
                    new WriteDecision<Handled>.Commit(changed.Change, null, new Handled(TopicStatus.Success, $"order {changed.Change.Order.Status}")),
                ChoreographyDecision.Transition { Result: TransitionResult.Noted noted } =>
                    new WriteDecision<Handled>.Save(noted.Order, new Handled(TopicStatus.Success, $"noted; compensations reported: {string.Join(", ", noted.Order.ReportedCompensations ?? [])}")),
                ChoreographyDecision.Transition { Result: TransitionResult.AlreadyDone done } =>
                    new WriteDecision<Handled>.Answer(new Handled(TopicStatus.Success, $"already {done.Order.Status}")),
                ChoreographyDecision.Transition { Result: TransitionResult.Refused refused } =>
                    new WriteDecision<Handled>.Answer(new Handled(TopicStatus.Drop, refused.Reason)),
                ChoreographyDecision.Transition { Result: TransitionResult.NeedsCompensation needs } =>
                    new WriteDecision<Handled>.Answer(new Handled(TopicStatus.Drop, $"order {needs.Order.OrderId} is confirmed; {eventType} cannot cancel it")),
                var other => throw new InvalidOperationException($"unexpected choreography decision {other}"),
            },
            beforeCommit: null,
            cancellationToken);

        if (handled.Status == TopicStatus.Drop)
        {
            // Contradicts the order's state: no retry can fix it; the dead letter is evidence for the reconciliation job.
            logger.SagaEventDropped(eventType, $"{received.EventId} for order {received.OrderId}: {handled.Outcome}");
        }
        else
        {
            logger.SagaEventHandled(eventType, received.EventId, received.OrderId, handled.Outcome);
        }

        return TypedResults.Ok(handled.Status);
    }

    internal static Ok<TopicStatus> Ignore(string eventType, ILoggerFactory loggers)
    {
        loggers.CreateLogger(typeof(SagaEventsApi).FullName!).SagaEventIgnored(eventType);
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static Ok<TopicStatus> DropUnrouted(ILoggerFactory loggers)
    {
        loggers.CreateLogger(typeof(SagaEventsApi).FullName!).SagaEventDropped("(unrouted)", "no route for this event type on topics payments and inventory");
        return TypedResults.Ok(TopicStatus.Drop);
    }

    private sealed record Handled(TopicStatus Status, string Outcome);
}
