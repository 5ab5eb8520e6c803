using System.ComponentModel.DataAnnotations;
using Inventory.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Inventory.Stock;

public static class StockApi
{
    public static RouteGroupBuilder MapStockApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/stock").WithTags("Stock");
        group.MapGet("/{sku}", GetStock).WithName("GetStock").WithSummary("Stock of one SKU, with its ETag");
        group.MapPost("/{sku}/restock", Restock).WithName("Restock").WithSummary("Adds units, once per restock id; honours If-Match");
        return group;
    }

    public static async Task<Results<Ok<StockResponse>, ProblemHttpResult>> GetStock(
        [RegularExpression(Identifiers.Pattern)] string sku, StockStore stock, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await stock.GetAsync(sku, cancellationToken) is not { } item)
        {
            return Problems.UnknownSku(sku);
        }

        response.Headers.ETag = ETags.ToHeader(item.ETag);
        return TypedResults.Ok(item.Value.AsResponse());
    }

    public static async Task<Results<Ok<StockResponse>, ProblemHttpResult>> Restock(
        [RegularExpression(Identifiers.Pattern)] string sku,
        RestockRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        StockStore stock,
        TimeProvider time,
        IOptions<InventoryOptions> options,
        ILogger<StockStore> logger,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var expected = ifMatch is null ? null : ETags.FromHeader(ifMatch);
        var (outcome, _) = await stock.UpdateAsync(sku, current =>
        {
            if (expected is not null && expected != "*" && current?.ETag != expected)
            {
                return (null, RestockOutcome.PreconditionFailed);
            }

            var item = current?.Value ?? StockItem.Empty(sku);
            var (next, applied) = item.Restock(request.Quantity, request.RestockId, time.GetUtcNow(), options.Value.RestockIdsKept, options.Value.SettledRetention);
            return applied ? (next, RestockOutcome.Applied) : (null, RestockOutcome.AlreadyApplied);
        }, cancellationToken);

        if (outcome == RestockOutcome.PreconditionFailed)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status412PreconditionFailed,
                title: "Stale If-Match",
                detail: $"The stock of {sku} changed since the ETag you sent; read it again.");
        }

        var stored = await stock.GetAsync(sku, cancellationToken) ?? throw new InvalidOperationException($"stock of {sku} vanished");
        if (outcome == RestockOutcome.Applied)
        {
            logger.Restocked(sku, request.Quantity, request.RestockId, stored.Value.Available);
        }

        response.Headers.ETag = ETags.ToHeader(stored.ETag);
        return TypedResults.Ok(stored.Value.AsResponse());
    }

    private enum RestockOutcome
    {
        Applied,
        AlreadyApplied,
        PreconditionFailed,
    }
}

/// <param name="RestockId">The caller's id of this delivery: a repeat with the same id adds nothing.</param>
public sealed record RestockRequest(
    [Range(1, 1_000_000)] int Quantity,
    [Required, RegularExpression(Identifiers.Pattern)] string RestockId);

public sealed record StockResponse(string Sku, long Available, long Reserved, long Committed, long Restocked, long Version);

internal static class StockMapping
{
    public static StockResponse AsResponse(this StockItem item) =>
        new(item.Sku, item.Available, item.Reserved, item.Committed, item.Restocked, item.Version);
}
