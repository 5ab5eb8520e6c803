using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrderQuery.Storage;

namespace OrderQuery.Queries;

/// <summary>Product search: PostgreSQL full-text on name and category, filters by category and price range; active products only.</summary>
public static class ProductSearchApi
{
    public const int MaxQueryLength = 200;

    public static RouteGroupBuilder MapProductSearchApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/products").WithTags("Product search");
        group.MapGet("/search", SearchAsync).WithName("SearchProducts")
            .WithSummary("q: words (web search syntax: \"phrase\", -not, or) matched with English stemming on name and category; best matches first.");
        return group;
    }

    internal static async Task<Results<Ok<ProductSearchPage>, ValidationProblem>> SearchAsync(
        string? q,
        string? category,
        decimal? minPrice,
        decimal? maxPrice,
        int? pageSize,
        int? page,
        ViewDatabase database,
        IOptions<OrderQueryOptions> options,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (q?.Length > MaxQueryLength)
        {
            errors["q"] = [$"q is at most {MaxQueryLength} characters."];
        }

        if (minPrice < 0)
        {
            errors["minPrice"] = ["minPrice cannot be negative."];
        }

        if (minPrice is not null && maxPrice is not null && minPrice > maxPrice)
        {
            errors["maxPrice"] = ["maxPrice cannot be below minPrice."];
        }

        var (size, number) = Paging.Check(pageSize, page, options.Value, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (items, total) = await database.Live.SearchProductsAsync(q, category, minPrice, maxPrice, number, size, cancellationToken);
        return TypedResults.Ok(new ProductSearchPage([.. items.Select(i => i.ToHit())], number, size, total));
    }
}
