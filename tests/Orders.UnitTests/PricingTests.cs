using Orders.Domain;

namespace Orders.UnitTests;

public sealed class PricingTests
{
    private static readonly Dictionary<string, ProductPrice> Replica = new(StringComparer.Ordinal)
    {
        ["A"] = new("A", "Apple", 1.25m, "EUR", Active: true, Version: 3),
        ["B"] = new("B", "Banana", 0.10m, "EUR", Active: true, Version: 1),
        ["D"] = new("D", "Dollar thing", 2m, "USD", Active: true, Version: 1),
        ["X"] = new("X", "Retired", 9m, "EUR", Active: false, Version: 4),
        ["P"] = ProductPrice.Placeholder("P"),
    };

    [Fact]
    public void Price_KnownActiveProducts_LinesAndTotalFromReplica()
    {
        var result = Assert.IsType<PricingResult.Priced>(Pricing.Price([new("A", 3), new("B", 7)], Replica));

        Assert.Equal("EUR", result.Currency);
        Assert.Equal(4.45m, result.Total);
        Assert.Equal(new OrderLine("A", "Apple", 3, 1.25m), result.Lines[0]);
        Assert.Equal(0.70m, result.Lines[1].LineTotal);
    }

    [Fact]
    public void Price_UnknownPlaceholderOrInactive_RefusedNamingSkus()
    {
        var result = Assert.IsType<PricingResult.UnavailableProducts>(Pricing.Price([new("A", 1), new("Z", 1), new("P", 1), new("X", 1)], Replica));

        Assert.Equal(["Z", "P"], result.Unknown);
        Assert.Equal(["X"], result.Inactive);
    }

    [Fact]
    public void Price_DifferentCurrencies_Refused()
    {
        var result = Assert.IsType<PricingResult.MixedCurrencies>(Pricing.Price([new("A", 1), new("D", 1)], Replica));

        Assert.Equal("USD", result.CurrencyBySku["D"]);
    }
}
