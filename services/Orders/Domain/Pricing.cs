namespace Orders.Domain;

/// <summary>The outcome of pricing an order from the replica.</summary>
public abstract record PricingResult
{
    private PricingResult()
    {
    }

    public sealed record Priced(IReadOnlyList<OrderLine> Lines, string Currency, decimal Total) : PricingResult;

    /// <summary>Skus the replica does not know, or knows as inactive: the order is refused naming them.</summary>
    public sealed record UnavailableProducts(IReadOnlyList<string> Unknown, IReadOnlyList<string> Inactive) : PricingResult;

    /// <summary>The lines are priced in more than one currency; an order has one.</summary>
    public sealed record MixedCurrencies(IReadOnlyDictionary<string, string> CurrencyBySku) : PricingResult;
}

public static class Pricing
{
    /// <param name="replica">The replica's record per sku (missing key or placeholder = unknown).</param>
    public static PricingResult Price(IReadOnlyList<RequestedLine> lines, IReadOnlyDictionary<string, ProductPrice> replica)
    {
        var unknown = new List<string>();
        var inactive = new List<string>();
        foreach (var line in lines)
        {
            if (!replica.TryGetValue(line.Sku, out var product) || product.IsPlaceholder)
            {
                unknown.Add(line.Sku);
            }
            else if (!product.Active)
            {
                inactive.Add(line.Sku);
            }
        }

        if (unknown.Count > 0 || inactive.Count > 0)
        {
            return new PricingResult.UnavailableProducts(unknown, inactive);
        }

        var products = lines.Select(l => replica[l.Sku]).ToList();
        if (products.Select(p => p.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            return new PricingResult.MixedCurrencies(products.ToDictionary(p => p.Sku, p => p.Currency, StringComparer.Ordinal));
        }

        var priced = lines.Select(l => new OrderLine(l.Sku, replica[l.Sku].Name, l.Quantity, replica[l.Sku].Price)).ToList();
        return new PricingResult.Priced(priced, products[0].Currency, priced.Sum(l => l.LineTotal));
    }
}
