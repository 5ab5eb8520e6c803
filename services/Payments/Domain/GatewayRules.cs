namespace Payments.Domain;

/// <summary>The decline rules of the simulated payment gateway, as configuration (tests force failures with them).</summary>
public sealed record GatewayPolicy(
    decimal? DeclineAmountAbove,
    IReadOnlySet<string> DeclinedCustomers,
    IReadOnlySet<string> SlowCustomers,
    TimeSpan SlowResponse);

public sealed record GatewayChargeRequest(string IdempotencyKey, string CustomerId, decimal Amount, string Currency);

public abstract record GatewayDecision
{
    private GatewayDecision()
    {
    }

    public sealed record Approved : GatewayDecision;

    public sealed record Declined(string Reason) : GatewayDecision;
}

public static class GatewayRules
{
    public static GatewayDecision Decide(GatewayChargeRequest request, GatewayPolicy policy)
    {
        if (policy.DeclinedCustomers.Contains(request.CustomerId))
        {
            return new GatewayDecision.Declined($"Customer '{request.CustomerId}' is declined by the gateway.");
        }

        if (policy.DeclineAmountAbove is { } limit && request.Amount > limit)
        {
            return new GatewayDecision.Declined($"Amount {request.Amount} {request.Currency} exceeds the gateway limit of {limit}.");
        }

        return new GatewayDecision.Approved();
    }

    /// <summary>How long the gateway takes before it answers this customer.</summary>
    public static TimeSpan ResponseDelay(string customerId, GatewayPolicy policy) =>
        policy.SlowCustomers.Contains(customerId) ? policy.SlowResponse : TimeSpan.Zero;
}
