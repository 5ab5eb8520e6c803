using Payments.Domain;

namespace Payments.UnitTests;

public sealed class IdentifierRulesTests
{
    [Theory]
    [InlineData("order-1")]
    [InlineData("0b9f5c1e-2d7a-4d59-9c1a-3f5b8e7d6c21")]
    [InlineData("customer_42.eu:7")]
    public void IsValid_SafeIds_Accepted(string id) => Assert.True(Identifiers.IsValid(id));

    [Theory]
    [InlineData("")]
    [InlineData("a||b")]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    [InlineData(null)]
    public void IsValid_UnsafeIds_Refused(string? id) => Assert.False(Identifiers.IsValid(id));

    [Fact]
    public void IsValid_LongerThan100Characters_Refused() => Assert.False(Identifiers.IsValid(new string('a', 101)));

    [Fact]
    public void PaymentIdFor_SameOrder_SameIdAndOtherOrder_OtherId()
    {
        Assert.Equal(Identifiers.PaymentIdFor("order-1"), Identifiers.PaymentIdFor("order-1"));
        Assert.NotEqual(Identifiers.PaymentIdFor("order-1"), Identifiers.PaymentIdFor("order-2"));
    }
}
