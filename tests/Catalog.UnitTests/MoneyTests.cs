using Catalog.Domain;

namespace Catalog.UnitTests;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("EUR", Currency.EUR)]
    [InlineData("USD", Currency.USD)]
    [InlineData("GBP", Currency.GBP)]
    [InlineData("JPY", Currency.JPY)]
    [InlineData("KRW", Currency.KRW)]
    public void Currency_SupportedIsoCode_Parsed(string code, Currency expected)
    {
        Assert.True(Money.TryParseCurrency(code, out var currency));
        Assert.Equal(expected, currency);
    }

    [Theory]
    [InlineData("CHF")]
    [InlineData("eur")]
    [InlineData("Eur")]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("EURO")]
    [InlineData("")]
    [InlineData(null)]
    public void Currency_AnythingElse_Refused(string? code)
    {
        Assert.False(Money.TryParseCurrency(code, out _));
    }

    [Theory]
    [InlineData(0.01, "EUR")]
    [InlineData(19.99, "USD")]
    [InlineData(1000000000, "GBP")]
    [InlineData(1500, "JPY")]
    [InlineData(12000, "KRW")]
    public void Create_ValidAmount_Accepted(decimal amount, string currency)
    {
        var errors = new List<ValidationError>();

        var money = Money.Create(amount, currency, errors);

        Assert.Empty(errors);
        Assert.Equal(amount, money!.Amount);
    }

    [Theory]
    [InlineData(0, "EUR")]
    [InlineData(-0.01, "EUR")]
    [InlineData(1000000000.01, "EUR")]
    [InlineData(1.999, "EUR")]
    [InlineData(100.5, "JPY")]
    [InlineData(0.1, "KRW")]
    public void Create_InvalidAmount_PriceError(decimal amount, string currency)
    {
        var errors = new List<ValidationError>();

        Assert.Null(Money.Create(amount, currency, errors));
        Assert.Equal("price", Assert.Single(errors).Field);
    }

    [Fact]
    public void Create_UnknownCurrency_CurrencyErrorOnly()
    {
        var errors = new List<ValidationError>();

        Assert.Null(Money.Create(1.999m, "CHF", errors));
        Assert.Equal("currency", Assert.Single(errors).Field);
    }

    [Fact]
    public void Equality_DifferentScale_Equal()
    {
        Assert.Equal(new Money(10m, Currency.EUR), new Money(10.00m, Currency.EUR));
        Assert.NotEqual(new Money(10m, Currency.EUR), new Money(10m, Currency.USD));
    }
}
