using Microsoft.AspNetCore.Http.HttpResults;

namespace Payments.Gateway;

/// <summary>Read-only diagnostics of the simulated gateway: what it recorded per idempotency key (the order id).</summary>
public static class GatewayApi
{
    public static RouteGroupBuilder MapGatewayApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/gateway").WithTags("Gateway simulator");
        group.MapGet("/charges/{orderId}", GetCharge)
            .WithName("GetGatewayCharge")
            .WithSummary("How often the simulated gateway was asked to charge an order, and how often it actually charged.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static Results<Ok<GatewayChargeRecord>, ProblemHttpResult, ValidationProblem> GetCharge(string orderId, PaymentGatewaySimulator gateway)
    {
        if (Http.InvalidId(nameof(orderId), orderId) is { } invalid)
        {
            return invalid;
        }

        return gateway.Find(orderId) is { } record
            ? TypedResults.Ok(record)
            : Http.NotFound("No gateway charge", $"The gateway was never asked to charge order '{orderId}'.");
    }
}
