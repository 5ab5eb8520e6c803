using Payments.Domain;

namespace Payments.UnitTests;

public sealed class GatewayDeclineRulesTests
{
    private static GatewayPolicy Policy(decimal? limit = null, string[]? declined = null, string[]? slow = null, TimeSpan slowResponse = default) =>
        new(limit, (declined ?? []).ToHashSet(), (slow ?? []).ToHashSet(), slowResponse);

    private static GatewayChargeRequest Charge(decimal amount, string customer = "customer-1") => new("order-1", customer, amount, "EUR");

    [Fact]
    public void Decide_NoRules_Approved() => Assert.IsType<GatewayDecision.Approved>(GatewayRules.Decide(Charge(1_000_000m), Policy()));

    [Fact]
    public void Decide_AmountAboveLimit_DeclinedWithReason()
    {
        var declined = Assert.IsType<GatewayDecision.Declined>(GatewayRules.Decide(Charge(500.01m), Policy(limit: 500m)));

        Assert.Contains("exceeds the gateway limit", declined.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AmountAtLimit_Approved() => Assert.IsType<GatewayDecision.Approved>(GatewayRules.Decide(Charge(500m), Policy(limit: 500m)));

    [Fact]
    public void Decide_DeclinedCustomer_DeclinedWhateverTheAmount()
    {
        var declined = Assert.IsType<GatewayDecision.Declined>(GatewayRules.Decide(Charge(1m, "blocked"), Policy(declined: ["blocked"])));

        Assert.Contains("blocked", declined.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_OtherCustomerThanDeclined_Approved() =>
        Assert.IsType<GatewayDecision.Approved>(GatewayRules.Decide(Charge(1m, "customer-1"), Policy(declined: ["blocked"])));

    [Fact]
    public void ResponseDelay_SlowCustomer_ConfiguredDelayOthersNone()
    {
        var policy = Policy(slow: ["sloth"], slowResponse: TimeSpan.FromSeconds(3));

        Assert.Equal(TimeSpan.FromSeconds(3), GatewayRules.ResponseDelay("sloth", policy));
        Assert.Equal(TimeSpan.Zero, GatewayRules.ResponseDelay("customer-1", policy));
    }
}
