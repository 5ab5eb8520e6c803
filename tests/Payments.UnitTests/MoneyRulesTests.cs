using Payments.Domain;

namespace Payments.UnitTests;

public sealed class MoneyRulesTests
{
    [Theory]
    [InlineData(49.90, "EUR")]
    [InlineData(0.01, "USD")]
    [InlineData(12, "GBP")]
    [InlineData(1000, "JPY")]
    [InlineData(50000, "KRW")]
    public void Validate_SupportedCurrencyAndPositiveAmount_Valid(decimal amount, string currency) =>
        Assert.Null(Money.Validate(amount, currency));

    [Theory]
    [InlineData(0, "EUR")]
    [InlineData(-5, "EUR")]
    [InlineData(-0.01, "USD")]
    public void Validate_ZeroOrNegativeAmount_Refused(decimal amount, string currency) =>
        Assert.Contains("greater than zero", Money.Validate(amount, currency), StringComparison.Ordinal);

    [Theory]
    [InlineData(10.001, "EUR")]
    [InlineData(1000.5, "JPY")]
    [InlineData(0.1, "KRW")]
    public void Validate_TooManyDecimalsForCurrency_Refused(decimal amount, string currency) =>
        Assert.Contains("decimal places", Money.Validate(amount, currency), StringComparison.Ordinal);

    [Theory]
    [InlineData("CHF")]
    [InlineData("eur")]
    [InlineData("")]
    public void Validate_UnknownCurrency_Refused(string currency) =>
        Assert.Contains("not supported", Money.Validate(10, currency), StringComparison.Ordinal);
}
