using System.Text.Json;
using Inventory.Domain;
using Inventory.Reservations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ServiceDefaults;

namespace Inventory.Choreography;

/// <summary>What every event copy carries: the event's id (for the logs) and the order it is about.</summary>
public interface ISagaEventCopy
{
    string EventId { get; }

    string OrderId { get; }
}

// Our copies of the fields we read (tolerant reader; public for the contract tests): OrderPlaced, OrderConfirmed and
// OrderCancellationRequested from topic orders, PaymentFailed from topic payments.
public sealed record OrderPlacedLineCopy(string Sku, int Quantity);

public sealed record OrderPlacedCopy(string EventId, string OrderId, long Version, string SagaMode, IReadOnlyList<OrderPlacedLineCopy> Lines) : ISagaEventCopy;

/// <param name="SagaMode">Null when the event does not name it (PaymentFailed, older producers): the participation marker tells.</param>
public sealed record OrderEventCopy(string EventId, string OrderId, long Version, string? SagaMode = null) : ISagaEventCopy;

public sealed record OrderCancelledCopy(string EventId, string OrderId, long Version, string? SagaMode = null) : ISagaEventCopy;

/// <summary>What handling a saga event came to: the delivery answer and what to log.</summary>
internal sealed record SagaAnswer(TopicStatus Status, string Outcome);

/// <summary>
/// The inventory participant of the choreographed saga (DESIGN §3): OrderPlaced of a choreographed order reserves
/// its lines (StockReserved/StockRejected go out through the reservation's outbox), PaymentFailed releases them
/// (the compensation), OrderConfirmed commits them. All three go through the same idempotent reservation process
/// as the API, keyed by order id, so duplicates and redeliveries change nothing twice. Inventory learns an order's
/// mode from OrderPlaced only and records the choreographed ones before reserving, so a PaymentFailed or
/// OrderConfirmed of an order it never saw in that mode (an orchestrated one) is acknowledged and ignored.
/// Subscriptions: components/inventory-subscriptions.yaml; unknown types answer DROP (→ dead-letter topic, logged).
/// </summary>
public static class SagaEventsApi
{
    private const string LogCategory = "Inventory.Choreography";

    /// <summary>How events are read: camelCase, and a missing required field is malformed (DROP).</summary>
    public static readonly JsonSerializerOptions EventJson = IntegrationEventJson.Options;

    public static RouteGroupBuilder MapSagaEventsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/events/saga").WithTags("Events").ExcludeFromDescription();
        group.MapPost("OrderPlaced", OrderPlacedAsync);
        group.MapPost("PaymentFailed", PaymentFailedAsync);
        group.MapPost("OrderConfirmed", OrderConfirmedAsync);
        group.MapPost("OrderCancellationRequested", OrderCancellationRequestedAsync);
        group.MapPost("OrderCancelled", OrderCancelledAsync);
        group.MapPost("ignored/{eventType}", Ignore);
        group.MapPost("unrouted", DropUnrouted);
        return group;
    }

    internal static async Task<Ok<TopicStatus>> OrderPlacedAsync(
        HttpRequest request,
        SagaMarkerStore markers,
        ReservationProcess process,
        IOptions<InventoryOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderPlaced";
        if (await ReadValidAsync<OrderPlacedCopy>(request, type, logger, cancellationToken) is not { } placed)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (ChoreographyRules.OnOrderPlaced(placed.SagaMode) == SagaReaction.Ignore)
        {
            logger.SagaEventHandled(type, placed.EventId, placed.OrderId, $"ignored: the order runs the {placed.SagaMode} saga");
            return TypedResults.Ok(TopicStatus.Success);
        }

        var (lines, problem) = ChoreographyRules.LinesToReserve(
            [.. placed.Lines.Select(l => new ReservationLine(l.Sku, l.Quantity))], options.Value.MaxLinesPerReservation);
        if (lines is null)
        {
            logger.SagaEventDropped(type, $"{placed.EventId} for order {placed.OrderId}: {problem}");
            return TypedResults.Ok(TopicStatus.Drop);
        }

        // The mode first, then the reservation: any PaymentFailed/OrderConfirmed is caused by the reservation's
        // event, so it always finds the record.
        await markers.SaveAsync(new SagaParticipation(placed.OrderId, time.GetUtcNow()), cancellationToken);
        var answer = ReserveAnswer(await process.ReserveAsync(placed.OrderId, lines, cancellationToken));
        return Respond(type, placed.EventId, placed.OrderId, answer, logger);
    }

    internal static async Task<Ok<TopicStatus>> PaymentFailedAsync(
        HttpRequest request, SagaMarkerStore markers, ReservationProcess process, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "PaymentFailed";
        if (await ReadValidAsync<OrderEventCopy>(request, type, logger, cancellationToken) is not { } failed)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (ChoreographyRules.OnPaymentFailed(await markers.GetAsync(failed.OrderId, cancellationToken)) == SagaReaction.Ignore)
        {
            return Respond(type, failed.EventId, failed.OrderId, new SagaAnswer(TopicStatus.Success, "ignored: not an order of the choreographed saga here"), logger);
        }

        return Respond(type, failed.EventId, failed.OrderId, ReleaseAnswer(await process.ReleaseAsync(failed.OrderId, cancellationToken)), logger);
    }

    internal static async Task<Ok<TopicStatus>> OrderConfirmedAsync(
        HttpRequest request, SagaMarkerStore markers, ReservationProcess process, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderConfirmed";
        if (await ReadValidAsync<OrderEventCopy>(request, type, logger, cancellationToken) is not { } confirmed)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        // An orchestrated order's event says so: no need to read the marker to learn it.
        if (ChoreographyRules.RunsAnotherSaga(confirmed.SagaMode) || ChoreographyRules.OnOrderConfirmed(await markers.GetAsync(confirmed.OrderId, cancellationToken)) == SagaReaction.Ignore)
        {
            return Respond(type, confirmed.EventId, confirmed.OrderId, new SagaAnswer(TopicStatus.Success, "ignored: not an order of the choreographed saga here"), logger);
        }

        return Respond(type, confirmed.EventId, confirmed.OrderId, CommitAnswer(await process.CommitAsync(confirmed.OrderId, cancellationToken)), logger);
    }

    /// <summary>
    /// A choreographed order was cancelled: release its reservation if it still holds stock (a review rejected or
    /// expired it). A reservation that was committed (and returned, a customer cancellation) stays as it is.
    /// </summary>
    internal static async Task<Ok<TopicStatus>> OrderCancelledAsync(
        HttpRequest request, SagaMarkerStore markers, ReservationProcess process, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderCancelled";
        if (await ReadValidAsync<OrderCancelledCopy>(request, type, logger, cancellationToken) is not { } cancelled)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (ChoreographyRules.OnOrderCancelled(await markers.GetAsync(cancelled.OrderId, cancellationToken), cancelled.SagaMode) == SagaReaction.Ignore)
        {
            return Respond(type, cancelled.EventId, cancelled.OrderId, new SagaAnswer(TopicStatus.Success, "ignored: not an order of the choreographed saga here"), logger);
        }

        var released = await process.ReleaseAsync(cancelled.OrderId, cancellationToken);
        return Respond(type, cancelled.EventId, cancelled.OrderId, new SagaAnswer(TopicStatus.Success, $"reservation {released.Status}"), logger);
    }

    /// <summary>The customer cancelled a confirmed choreographed order: its committed units come back (StockReturned).</summary>
    internal static async Task<Ok<TopicStatus>> OrderCancellationRequestedAsync(
        HttpRequest request, SagaMarkerStore markers, ReservationProcess process, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategory);
        const string type = "OrderCancellationRequested";
        if (await ReadValidAsync<OrderEventCopy>(request, type, logger, cancellationToken) is not { } cancelled)
        {
            return TypedResults.Ok(TopicStatus.Drop);
        }

        if (ChoreographyRules.RunsAnotherSaga(cancelled.SagaMode) || ChoreographyRules.OnOrderCancellationRequested(await markers.GetAsync(cancelled.OrderId, cancellationToken)) == SagaReaction.Ignore)
        {
            return Respond(type, cancelled.EventId, cancelled.OrderId, new SagaAnswer(TopicStatus.Success, "ignored: not an order of the choreographed saga here"), logger);
        }

        return Respond(type, cancelled.EventId, cancelled.OrderId, ReturnAnswer(await process.ReturnAsync(cancelled.OrderId, cancellationToken)), logger);
    }

    internal static Ok<TopicStatus> Ignore(string eventType, ILoggerFactory loggers)
    {
        loggers.CreateLogger(LogCategory).SagaEventIgnored(eventType);
        return TypedResults.Ok(TopicStatus.Success);
    }

    internal static Ok<TopicStatus> DropUnrouted(ILoggerFactory loggers)
    {
        loggers.CreateLogger(LogCategory).SagaEventDropped("(unrouted)", "no route for this event type on topics orders and payments");
        return TypedResults.Ok(TopicStatus.Drop);
    }

    /// <summary>
    /// A decided reservation (reserved, rejected, or released by a compensation that came first) is done: its event
    /// is out. Unknown SKUs are retried (a restock may be on its way), then dead-lettered for the operations service;
    /// other lines under the same order id contradict what is recorded and are dropped at once.
    /// </summary>
    internal static SagaAnswer ReserveAnswer(ReserveResult result) => result switch
    {
        { Outcome: ReserveOutcome.UnknownSku } => new(TopicStatus.Retry, $"unknown SKUs {string.Join(", ", result.UnknownSkus)}"),
        { Outcome: ReserveOutcome.LinesDiffer } => new(TopicStatus.Drop, "the order was already reserved with other lines"),
        { Reservation: { } reservation } => new(TopicStatus.Success, $"reservation {reservation.Status}"),
        _ => throw new InvalidOperationException($"unexpected reserve result {result.Outcome}"),
    };

    /// <summary>Released (now or before) → done; committed units cannot come back by a compensation → dead letter, logged.</summary>
    internal static SagaAnswer ReleaseAnswer(Reservation reservation) => reservation.Status == ReservationStatus.Committed
        ? new(TopicStatus.Drop, "the reservation is committed; its units cannot be released")
        : new(TopicStatus.Success, $"reservation {reservation.Status}");

    /// <summary>Committed → done; anything else contradicts a confirmed order → dead letter for the reconciliation job.</summary>
    internal static SagaAnswer CommitAnswer(Reservation? reservation) => reservation switch
    {
        null => new(TopicStatus.Drop, "no reservation to commit"),
        { Status: ReservationStatus.Committed } => new(TopicStatus.Success, "reservation Committed"),
        _ => new(TopicStatus.Drop, $"the reservation is {reservation.Status}; a confirmed order cannot commit it"),
    };

    /// <summary>Returned → done; not committed yet → RETRY (the OrderConfirmed delivery may come later); the rest → dead letter.</summary>
    internal static SagaAnswer ReturnAnswer(Reservation? reservation) => ChoreographyRules.AfterReturn(reservation?.Status) switch
    {
        ReturnVerdict.Done => new(TopicStatus.Success, "reservation Returned"),
        ReturnVerdict.NotYet => new(TopicStatus.Retry, $"the reservation is {reservation!.Status}; waiting for its commit before returning it"),
        _ => new(TopicStatus.Drop, reservation is null ? "no reservation to return" : $"the reservation is {reservation.Status}; nothing left the warehouse"),
    };

    private static Ok<TopicStatus> Respond(string type, string eventId, string orderId, SagaAnswer answer, ILogger logger)
    {
        if (answer.Status == TopicStatus.Drop)
        {
            logger.SagaEventDropped(type, $"{eventId} for order {orderId}: {answer.Outcome}");
        }
        else if (answer.Status == TopicStatus.Retry)
        {
            logger.SagaEventDeferred(type, eventId, orderId, answer.Outcome);
        }
        else
        {
            logger.SagaEventHandled(type, eventId, orderId, answer.Outcome);
        }

        return TypedResults.Ok(answer.Status);
    }

    /// <summary>The event, or null (logged; the caller answers DROP) when it is malformed, lacks an event id or names no valid order.</summary>
    private static async Task<T?> ReadValidAsync<T>(HttpRequest request, string type, ILogger logger, CancellationToken cancellationToken)
        where T : class, ISagaEventCopy
    {
        var (copy, dropReason) = await IntegrationEventJson.ReadAsync<T>(request.Body, cancellationToken);
        if (copy is null)
        {
            logger.SagaEventDropped(type, dropReason!);
            return null;
        }

        if (Invalid(copy.EventId, copy.OrderId) is { } problem)
        {
            logger.SagaEventDropped(type, problem);
            return null;
        }

        return copy;
    }

    private static string? Invalid(string eventId, string orderId) =>
        string.IsNullOrWhiteSpace(eventId) ? "eventId is missing"
        : !System.Text.RegularExpressions.Regex.IsMatch(orderId, Identifiers.Pattern) ? "orderId is not a valid id"
        : null;
}
