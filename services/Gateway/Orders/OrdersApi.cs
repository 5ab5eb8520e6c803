using System.ComponentModel.DataAnnotations;
using Gateway.Composition;
using Gateway.Dependencies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Orders;

/// <summary>
/// The public order API: placing goes to orders as it is (its answer comes back as it is), reading one order is
/// composed from four services, listing a customer's orders is served by the read model (order-query).
/// </summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders").WithTags("Orders");
        group.MapPost("", PlaceOrderAsync).WithName("PlaceOrder")
            .WithSummary("Forwards the order and its Idempotency-Key to orders; orders' answer (status, problem details, Location, Idempotency-Replayed) comes back unchanged.")
            .Accepts<object>("application/json");
        group.MapGet("{orderId}", GetOrderAsync).WithName("GetOrder")
            .WithSummary("The order with its payment, stock reservation and current product data; a part a dependency could not give is named in 'missing'.");
        group.MapGet("", ListOrdersAsync).WithName("ListOrders")
            .WithSummary("A customer's orders from the read model (order-query).");
        return group;
    }

    internal static async Task<Results<ForwardedResult, ProblemHttpResult>> PlaceOrderAsync(
        HttpRequest request,
        [FromHeader(Name = ForwardedResult.IdempotencyKeyHeader)] string? idempotencyKey,
        OrdersClient orders,
        CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var (answer, failure) = await orders.PlaceOrderAsync(buffer.ToArray(), request.ContentType, idempotencyKey, cancellationToken);
        return answer is not null ? answer : Unavailable(DaprNames.OrdersAppId, failure!);
    }

    internal static async Task<Results<Ok<ComposedOrder>, ProblemHttpResult>> GetOrderAsync(
        string orderId, OrderComposer composer, CancellationToken cancellationToken) =>
        await composer.ComposeAsync(orderId, cancellationToken) switch
        {
            Composition.Composition.Composed composed => TypedResults.Ok(composed.Order),
            Composition.Composition.OrdersUnavailable unavailable => Unavailable(DaprNames.OrdersAppId, unavailable.Reason),
            _ => TypedResults.Problem($"No order {orderId}.", statusCode: StatusCodes.Status404NotFound, title: "Order not found"),
        };

    internal static async Task<Results<ForwardedResult, ValidationProblem, ProblemHttpResult>> ListOrdersAsync(
        [FromQuery] string? customer,
        [FromQuery] string? status,
        [FromQuery] DateTimeOffset? from,
        [FromQuery] DateTimeOffset? to,
        [FromQuery, Range(1, 1000)] int? pageSize,
        [FromQuery, Range(1, int.MaxValue)] int? page,
        OrderQueryClient readModel,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(customer))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["customer"] = ["The customer query parameter is required."] });
        }

        var query = QueryString.Create(new Dictionary<string, string?>
        {
            ["status"] = status,
            ["from"] = from?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["to"] = to?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["pageSize"] = pageSize?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["page"] = page?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }.Where(p => p.Value is not null));
        var (answer, failure) = await readModel.GetAsync($"customers/{Uri.EscapeDataString(customer)}/orders{query}", cancellationToken);
        return answer is not null ? answer : Unavailable(DaprNames.OrderQueryAppId, failure!);
    }

    internal static ProblemHttpResult Unavailable(string appId, string reason) =>
        TypedResults.Problem(
            $"The {appId} service did not answer ({reason}); try again later.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Dependency unavailable",
            extensions: new Dictionary<string, object?> { ["dependency"] = appId, ["reason"] = reason });
}
