using System.ComponentModel.DataAnnotations;
using Inventory.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Inventory.Reservations;

public static class ReservationsApi
{
    public static RouteGroupBuilder MapReservationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/reservations").WithTags("Reservations");
        group.MapPost("/", Reserve).WithName("Reserve").WithSummary("Reserves every line or none; idempotent by order id");
        group.MapGet("/{orderId}", GetReservation).WithName("GetReservation");
        group.MapPost("/{orderId}/release", Release).WithName("Release").WithSummary("Gives the units back (the compensation); idempotent");
        group.MapPost("/{orderId}/commit", Commit).WithName("Commit").WithSummary("Reserved units leave the warehouse; idempotent");
        group.MapPost("/{orderId}/return", Return).WithName("Return")
            .WithSummary("Committed units of a cancelled order come back to available (restock); idempotent, never twice");
        group.MapPost("/{orderId}/resume", Resume).WithName("Resume").WithSummary("Finishes a reservation a crashed request left half done");
        return group;
    }

    public static async Task<Results<Created<ReservationResponse>, Ok<ReservationResponse>, ValidationProblem, ProblemHttpResult>> Reserve(
        ReserveRequest request, ReservationProcess process, IOptions<InventoryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.Lines.Count > options.Value.MaxLinesPerReservation)
        {
            return LinesProblem($"At most {options.Value.MaxLinesPerReservation} lines per reservation.");
        }

        if (ReservationLines.Normalize(request.Lines.Select(l => new ReservationLine(l.Sku, l.Quantity))) is not { } lines)
        {
            return LinesProblem("Each SKU may appear only once.");
        }

        var result = await process.ReserveAsync(request.OrderId, lines, cancellationToken);
        var now = time.GetUtcNow();
        return result switch
        {
            { Outcome: ReserveOutcome.UnknownSku } => Problems.UnknownSku(result.UnknownSkus),
            { Outcome: ReserveOutcome.LinesDiffer } => TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "Different lines for the same order",
                detail: $"Order {request.OrderId} was already reserved with other lines; an order id reserves one set of lines."),
            { Reservation: { Status: ReservationStatus.Rejected } rejected } => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: rejected.Reason == Reservation.InsufficientStockReason ? "Insufficient stock" : "Reservation rejected",
                detail: rejected.Reason,
                extensions: new Dictionary<string, object?>
                {
                    ["orderId"] = rejected.OrderId,
                    ["shortages"] = rejected.Shortages.Select(s => new ShortageResponse(s.Sku, s.Requested, s.Available)).ToList(),
                }),
            { Reservation: { Status: ReservationStatus.Released } released } => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Already released",
                detail: $"Order {released.OrderId} was released ({released.Reason ?? "compensated"}); it cannot be reserved again.",
                extensions: new Dictionary<string, object?> { ["orderId"] = released.OrderId }),
            { Outcome: ReserveOutcome.Created, Reservation: { } reserved } =>
                TypedResults.Created($"/reservations/{Uri.EscapeDataString(reserved.OrderId)}", reserved.AsResponse(now, options.Value)),
            { Reservation: { } existing } => TypedResults.Ok(existing.AsResponse(now, options.Value)),
            _ => throw new InvalidOperationException($"unexpected reserve result {result.Outcome}"),
        };
    }

    public static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> GetReservation(
        [RegularExpression(Identifiers.Pattern)] string orderId, ReservationStore reservations, IOptions<InventoryOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
        await reservations.GetAsync(orderId, cancellationToken) is { } stored
            ? TypedResults.Ok(stored.Value.AsResponse(time.GetUtcNow(), options.Value))
            : Problems.UnknownReservation(orderId);

    public static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> Release(
        [RegularExpression(Identifiers.Pattern)] string orderId, ReservationProcess process, IOptions<InventoryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var reservation = await process.ReleaseAsync(orderId, cancellationToken);
        return reservation.Status == ReservationStatus.Committed
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Already committed",
                detail: $"The units of order {orderId} left the warehouse; returning them is a restock.")
            : TypedResults.Ok(reservation.AsResponse(time.GetUtcNow(), options.Value));
    }

    public static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> Commit(
        [RegularExpression(Identifiers.Pattern)] string orderId, ReservationProcess process, IOptions<InventoryOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
        await process.CommitAsync(orderId, cancellationToken) switch
        {
            null => Problems.UnknownReservation(orderId),
            { Status: ReservationStatus.Committed } committed => TypedResults.Ok(committed.AsResponse(time.GetUtcNow(), options.Value)),
            var other => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Not reserved",
                detail: $"Reservation {orderId} is {other.Status}; only a reserved one can be committed.",
                extensions: new Dictionary<string, object?> { ["reservationStatus"] = other.Status.ToString() }),
        };

    /// <summary>
    /// 200 Returned (now or before); 409 "Not committed yet" while the reservation is Pending or Reserved (the commit
    /// of the confirmed order may still be on its way: retry); 409 "Nothing to return" when it was released or
    /// rejected (no unit left the warehouse); 404 no reservation.
    /// </summary>
    public static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> Return(
        [RegularExpression(Identifiers.Pattern)] string orderId, ReservationProcess process, IOptions<InventoryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var reservation = await process.ReturnAsync(orderId, cancellationToken);
        if (reservation is null)
        {
            return Problems.UnknownReservation(orderId);
        }

        return ChoreographyRules.AfterReturn(reservation.Status) switch
        {
            ReturnVerdict.Done => TypedResults.Ok(reservation.AsResponse(time.GetUtcNow(), options.Value)),
            ReturnVerdict.NotYet => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Not committed yet",
                detail: $"Reservation {orderId} is {reservation.Status}: not committed yet, so there is nothing to return yet; retry once it is committed.",
                extensions: new Dictionary<string, object?> { ["reservationStatus"] = reservation.Status.ToString() }),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Nothing to return",
                detail: $"Reservation {orderId} is {reservation.Status}: nothing left the warehouse, so there is nothing to return.",
                extensions: new Dictionary<string, object?> { ["reservationStatus"] = reservation.Status.ToString() }),
        };
    }

    public static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> Resume(
        [RegularExpression(Identifiers.Pattern)] string orderId, ReservationProcess process, IOptions<InventoryOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
        await process.ResumeAsync(orderId, cancellationToken) is { } reservation
            ? TypedResults.Ok(reservation.AsResponse(time.GetUtcNow(), options.Value))
            : Problems.UnknownReservation(orderId);

    private static ValidationProblem LinesProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["lines"] = [message] });
}

public sealed record ReserveRequest(
    [Required, RegularExpression(Identifiers.Pattern)] string OrderId,
    [Required, MinLength(1)] IReadOnlyList<ReserveLineRequest> Lines);

public sealed record ReserveLineRequest(
    [Required, RegularExpression(Identifiers.Pattern)] string Sku,
    [Range(1, 1_000_000)] int Quantity);

public sealed record ReservationLineResponse(string Sku, int Quantity);

public sealed record ShortageResponse(string Sku, int Requested, long Available);

/// <param name="Stalled">Pending for longer than the pending deadline: a resume rolls it back.</param>
public sealed record ReservationResponse(
    string OrderId,
    ReservationStatus Status,
    long Version,
    IReadOnlyList<ReservationLineResponse> Lines,
    IReadOnlyList<ShortageResponse> Shortages,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Stalled,
    DateTimeOffset? ReservedAt = null,
    DateTimeOffset? CommittedAt = null);

internal static class ReservationMapping
{
    public static ReservationResponse AsResponse(this Reservation reservation, DateTimeOffset now, InventoryOptions options) => new(
        reservation.OrderId,
        reservation.Status,
        reservation.Version,
        [.. reservation.Lines.Select(l => new ReservationLineResponse(l.Sku, l.Quantity))],
        [.. reservation.Shortages.Select(s => new ShortageResponse(s.Sku, s.Requested, s.Available))],
        reservation.Reason,
        reservation.CreatedAt,
        reservation.UpdatedAt,
        reservation.IsStale(now, options.PendingDeadline),
        reservation.ReservedAt,
        reservation.CommittedAt);
}
