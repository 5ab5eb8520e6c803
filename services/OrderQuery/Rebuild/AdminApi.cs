using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrderQuery.Storage;

namespace OrderQuery.Rebuild;

/// <summary>The body of <c>POST /admin/rebuild</c> (optional).</summary>
/// <param name="Schema">Rebuild into this schema instead of the live one (e.g. a fresh schema, to compare or to swap in).</param>
/// <param name="CustomerIds">Customers to restore besides those the live views know (orders has no "all orders" list).</param>
public sealed record RebuildRequest(
    [property: RegularExpression(ViewDatabase.SchemaPattern)] string? Schema = null,
    [property: MaxLength(10_000)] IReadOnlyList<string>? CustomerIds = null);

public sealed record RebuildResponse(string Schema, int Products, int Orders, int Customers, IReadOnlyList<string> NotRestored);

public static class AdminApi
{
    /// <summary>What a rebuild cannot bring back, because the source services offer no API for it.</summary>
    public static readonly IReadOnlyList<string> NotRestored =
    [
        "orders of customers the views never saw: orders has no 'list all orders' endpoint, only GET /orders?customerId=",
        "payment status and the payment and credit timeline entries: payments has no list API (only GET /payments/{orderId})",
        "stock status and the stock timeline entries: inventory has no list API (only GET /reservations/{orderId})",
        "staleness figures: they describe live deliveries only",
    ];

    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").WithTags("Admin");
        group.MapPost("rebuild", RebuildAsync).WithName("Rebuild")
            .WithSummary("Rebuilds the views from the catalog and orders list APIs through the same version-guarded projection as live events.");
        return group;
    }

    internal static async Task<Ok<RebuildResponse>> RebuildAsync(
        RebuildRequest? request, Rebuilder rebuilder, IOptions<OrderQueryOptions> options, CancellationToken cancellationToken)
    {
        var result = await rebuilder.RebuildAsync(request?.Schema ?? options.Value.Schema, request?.CustomerIds ?? [], cancellationToken);
        return TypedResults.Ok(new RebuildResponse(result.Schema, result.Products, result.Orders, result.Customers, NotRestored));
    }
}
