namespace Payments.Domain;

/// <summary>The currencies the platform accepts (ISO 4217) and how many minor digits each allows.</summary>
public static class Money
{
    private static readonly Dictionary<string, int> MinorDigits = new(StringComparer.Ordinal)
    {
        ["EUR"] = 2,
        ["USD"] = 2,
        ["GBP"] = 2,
        ["JPY"] = 0,
        ["KRW"] = 0,
    };

    public static IReadOnlyCollection<string> SupportedCurrencies => MinorDigits.Keys;

    public static bool IsSupported(string currency) => MinorDigits.ContainsKey(currency);

    /// <summary>Why an amount in a currency is not a valid charge, or null when it is.</summary>
    public static string? Validate(decimal amount, string currency)
    {
        if (!MinorDigits.TryGetValue(currency, out var digits))
        {
            return $"Currency '{currency}' is not supported; use one of {string.Join(", ", SupportedCurrencies)}.";
        }

        if (amount <= 0)
        {
            return "The amount must be greater than zero.";
        }

        return decimal.Round(amount, digits) != amount
            ? $"{currency} amounts allow at most {digits} decimal places."
            : null;
    }
}
