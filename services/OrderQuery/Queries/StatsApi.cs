using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrderQuery.Storage;

namespace OrderQuery.Queries;

/// <summary>How stale the views run: per live update, event occurredAt → committed in the view.</summary>
public static class StatsApi
{
    public static RouteGroupBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/stats").WithTags("Stats");
        group.MapGet("/staleness", GetStalenessAsync).WithName("GetStaleness").WithSummary("p50/p99/max staleness in ms over the last N live updates (?last=N).");
        return group;
    }

    internal static async Task<Results<Ok<StalenessResponse>, ValidationProblem>> GetStalenessAsync(
        int? last, ViewDatabase database, IOptions<OrderQueryOptions> options, CancellationToken cancellationToken)
    {
        var window = last ?? options.Value.StalenessWindow;
        if (window is < 1 or > 100_000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["last"] = ["last is between 1 and 100000."] });
        }

        var figures = await database.Live.GetStalenessAsync(window, cancellationToken);
        return TypedResults.Ok(new StalenessResponse(window, figures.Count, figures.P50Ms, figures.P99Ms, figures.MaxMs));
    }
}
