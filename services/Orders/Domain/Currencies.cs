namespace Orders.Domain;

/// <summary>The ISO 4217 codes the platform supports (events.md); anything else is bad input.</summary>
public static class Currencies
{
    public static IReadOnlySet<string> Supported { get; } = new HashSet<string>(StringComparer.Ordinal) { "EUR", "USD", "GBP", "JPY", "KRW" };

    public static bool IsSupported(string? code) => code is not null && Supported.Contains(code);
}
