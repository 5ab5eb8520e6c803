using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrderQuery.Domain;
using OrderQuery.Storage;

namespace OrderQuery.Queries;

/// <summary>The order views: one order's summary, and a customer's orders with filters and paging.</summary>
public static class OrderViewsApi
{
    public static RouteGroupBuilder MapOrderViewsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Order views");
        group.MapGet("/orders/{orderId}/summary", GetSummaryAsync).WithName("GetOrderSummary")
            .WithSummary("The order's lines, totals, payment and stock status, saga status and timeline, as the events tell it.");
        group.MapGet("/customers/{customerId}/orders", ListCustomerOrdersAsync).WithName("ListCustomerOrders")
            .WithSummary("A customer's orders, newest placed first; filters: status (saga status), from/to (placed at, [from, to)); page numbers from 1.");
        return group;
    }

    internal static async Task<Results<Ok<OrderSummaryResponse>, ProblemHttpResult>> GetSummaryAsync(string orderId, ViewDatabase database, CancellationToken cancellationToken) =>
        orderId.Length <= 200 && await database.Live.GetSummaryAsync(orderId, cancellationToken) is { } stored
            ? TypedResults.Ok(stored.ToResponse())
            : TypedResults.Problem($"The read side knows no order {orderId} (yet).", statusCode: StatusCodes.Status404NotFound, title: "Order not found");

    internal static async Task<Results<Ok<CustomerOrderPage>, ValidationProblem>> ListCustomerOrdersAsync(
        string customerId,
        string? status,
        DateTimeOffset? from,
        DateTimeOffset? to,
        int? pageSize,
        int? page,
        ViewDatabase database,
        IOptions<OrderQueryOptions> options,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        SagaStatus? statusFilter = null;
        if (status is not null)
        {
            if (Enum.TryParse<SagaStatus>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _))
            {
                statusFilter = parsed;
            }
            else
            {
                errors["status"] = [$"status is one of {string.Join(", ", Enum.GetNames<SagaStatus>())}."];
            }
        }

        if (from is not null && to is not null && from >= to)
        {
            errors["to"] = ["to must be later than from."];
        }

        var (size, number) = Paging.Check(pageSize, page, options.Value, errors);
        if (customerId.Length > 200)
        {
            errors["customerId"] = ["customerId is at most 200 characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (items, total) = await database.Live.ListCustomerOrdersAsync(customerId, statusFilter, from, to, number, size, cancellationToken);
        return TypedResults.Ok(new CustomerOrderPage([.. items.Select(i => i.ToItem())], number, size, total));
    }
}

internal static class Paging
{
    public static (int Size, int Number) Check(int? pageSize, int? page, OrderQueryOptions options, Dictionary<string, string[]> errors)
    {
        var size = pageSize ?? options.DefaultPageSize;
        var number = page ?? 1;
        if (size < 1 || size > options.MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize is between 1 and {options.MaxPageSize}."];
        }

        if (number < 1 || number > 100_000)
        {
            errors["page"] = ["page is between 1 and 100000."];
        }

        return (size, number);
    }
}
