using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Gateway.Dependencies;
using Gateway.Orders;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Products;

/// <summary>Product search, served by the read model (order-query) by service invocation.</summary>
public static class ProductsApi
{
    public static RouteGroupBuilder MapProductsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/products").WithTags("Products");
        group.MapGet("search", SearchAsync).WithName("SearchProducts").WithSummary("Full-text product search with category and price filters (order-query).");
        return group;
    }

    internal static async Task<Results<ForwardedResult, ProblemHttpResult>> SearchAsync(
        [FromQuery, StringLength(200)] string? q,
        [FromQuery, StringLength(100)] string? category,
        [FromQuery] decimal? minPrice,
        [FromQuery] decimal? maxPrice,
        OrderQueryClient readModel,
        CancellationToken cancellationToken)
    {
        var query = QueryString.Create(new Dictionary<string, string?>
        {
            ["q"] = q,
            ["category"] = category,
            ["minPrice"] = minPrice?.ToString(CultureInfo.InvariantCulture),
            ["maxPrice"] = maxPrice?.ToString(CultureInfo.InvariantCulture),
        }.Where(p => p.Value is not null));
        var (answer, failure) = await readModel.GetAsync($"products/search{query}", cancellationToken);
        return answer is not null ? answer : OrdersApi.Unavailable(DaprNames.OrderQueryAppId, failure!);
    }
}
