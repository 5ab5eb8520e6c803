using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Orders.Domain;

namespace Orders.Ordering;

/// <summary>A page of customer ids; pass <see cref="ContinuationToken"/> back for the next one (null = done). Pages may be shorter than asked.</summary>
public sealed record CustomerPage(IReadOnlyList<string> Items, string? ContinuationToken);

/// <summary>
/// <c>GET /customers</c>: every customer that has placed an order, for rebuilds and reconciliation, which then
/// read each customer's orders with <c>GET /orders?customerId=</c>. May name a customer whose only order never
/// got placed (the directory is written ahead, like the per-customer index); that customer's list is empty.
/// </summary>
public static class CustomersApi
{
    public static RouteGroupBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/customers").WithTags("Customers");
        group.MapGet("", ListCustomersAsync).WithName("ListCustomers")
            .WithSummary("Every customer with orders, a page at a time, in a stable order (for rebuilds and reconciliation).");
        return group;
    }

    internal static async Task<Results<Ok<CustomerPage>, ValidationProblem>> ListCustomersAsync(
        [FromQuery] int? pageSize,
        [FromQuery] string? continuationToken,
        CustomerDirectory directory,
        IOptions<OrdersOptions> options,
        CancellationToken cancellationToken)
    {
        var size = pageSize ?? options.Value.DefaultPageSize;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (size < 1 || size > options.Value.MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize is between 1 and {options.Value.MaxPageSize}."];
        }

        var after = continuationToken is null ? null : DecodeToken(continuationToken);
        if (continuationToken is not null && after is null)
        {
            errors["continuationToken"] = ["The continuation token is not one this service issued."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await directory.PageAsync(after, size, cancellationToken);
        return TypedResults.Ok(new CustomerPage(page.CustomerIds, page.Next is null ? null : EncodeToken(page.Next)));
    }

    // "<shard>:<last customer id>", base64url: opaque to callers, checked on the way back.
    internal static string EncodeToken(DirectoryCursor cursor) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{cursor.Shard}:{cursor.AfterCustomerId}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static DirectoryCursor? DecodeToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, written);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var shard)
            && shard < CustomerDirectoryRules.ShardCount
            && text[(colon + 1)..] is var afterId
            && (afterId.Length == 0 || Regex.IsMatch(afterId, OrderPatterns.CustomerId))
            ? new DirectoryCursor(shard, afterId)
            : null;
    }
}
