namespace Catalog.Domain;

/// <summary>The currencies the shop sells in (ISO 4217). Anything else is bad input.</summary>
public enum Currency
{
    EUR,
    USD,
    GBP,
    JPY,
    KRW,
}

/// <summary>A positive price in a supported currency, with no more decimals than the currency has minor units.</summary>
public sealed record Money(decimal Amount, Currency Currency)
{
    /// <summary>
    /// The largest price accepted. Together with the minor-unit rule it keeps every price within 15 significant
    /// digits, so it survives the JSON-number round trip of document stores (float64) exactly.
    /// </summary>
    public const decimal MaxAmount = 1_000_000_000m;

    public static int MinorUnits(Currency currency) => currency is Currency.JPY or Currency.KRW ? 0 : 2;

    /// <summary>Only the exact upper-case ISO codes of <see cref="Currency"/> (no numbers, no lower case).</summary>
    public static bool TryParseCurrency(string? code, out Currency currency)
    {
        currency = default;
        return code is { Length: 3 } && code.All(char.IsAsciiLetterUpper) && Enum.TryParse(code, ignoreCase: false, out currency);
    }

    /// <returns>Null and the reasons when the amount or currency is not acceptable.</returns>
    public static Money? Create(decimal amount, string? currencyCode, ICollection<ValidationError> errors)
    {
        var before = errors.Count;
        if (!TryParseCurrency(currencyCode, out var currency))
        {
            errors.Add(new ValidationError("currency", $"Currency must be one of {string.Join(", ", Enum.GetNames<Currency>())}."));
        }

        if (amount <= 0)
        {
            errors.Add(new ValidationError("price", "Price must be greater than zero."));
        }
        else if (amount > MaxAmount)
        {
            errors.Add(new ValidationError("price", $"Price must not exceed {MaxAmount}."));
        }
        else if (errors.Count == before && decimal.Round(amount, MinorUnits(currency)) != amount)
        {
            errors.Add(new ValidationError("price", $"A {currency} price has at most {MinorUnits(currency)} decimal places."));
        }

        return errors.Count == before ? new Money(amount, currency) : null;
    }
}
