using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrderQuery.Storage;

namespace OrderQuery.Rebuild;

/// <summary>The body of <c>POST /admin/rebuild</c> (optional).</summary>
/// <param name="Schema">Rebuild into this schema instead of the live one (e.g. a fresh schema, to compare or to swap in).</param>
/// <param name="CustomerIds">Customers to restore besides those orders lists (<c>GET /customers</c>) and the live views know.</param>
public sealed record RebuildRequest(
    [property: RegularExpression(ViewDatabase.SchemaPattern)] string? Schema = null,
    [property: MaxLength(10_000)] IReadOnlyList<string>? CustomerIds = null);

public sealed record RebuildResponse(string Schema, int Products, int Orders, int Customers, int Payments, int Reservations, IReadOnlyList<string> NotRestored);

public static class AdminApi
{
    /// <summary>What a rebuild cannot bring back, because no source service keeps it (README, "Rebuild").</summary>
    public static readonly IReadOnlyList<string> NotRestored =
    [
        "CreditAwarded/CreditRevoked timeline entries: payments keeps a customer's credit ledger, not per-order history (its event ids carry the account version, and it forgets orders after its retention)",
        "the PaymentSucceeded entry of a refunded payment and the StockReserved entry of a committed or released reservation written before succeededAt/reservedAt existed",
        "customers whose only orders predate orders' customer directory and who placed none since (pass them in customerIds)",
        "staleness figures: they describe live deliveries only",
    ];

    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin").WithTags("Admin");
        group.MapPost("rebuild", RebuildAsync).WithName("Rebuild")
            .WithSummary("Rebuilds the views from the catalog, orders, payments and inventory APIs through the same version-guarded projection as live events.");
        return group;
    }

    internal static async Task<Ok<RebuildResponse>> RebuildAsync(
        RebuildRequest? request, Rebuilder rebuilder, IOptions<OrderQueryOptions> options, CancellationToken cancellationToken)
    {
        var result = await rebuilder.RebuildAsync(request?.Schema ?? options.Value.Schema, request?.CustomerIds ?? [], cancellationToken);
        return TypedResults.Ok(new RebuildResponse(result.Schema, result.Products, result.Orders, result.Customers, result.Payments, result.Reservations, NotRestored));
    }
}
