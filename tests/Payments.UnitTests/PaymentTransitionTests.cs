using Payments.Domain;

namespace Payments.UnitTests;

public sealed class PaymentTransitionTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ChargeCommand Command = new("order-1", "customer-1", 49.90m, "EUR");

    [Fact]
    public void Start_NewCharge_PendingAtVersionOne()
    {
        var payment = Payment.Start(Command, Now);

        Assert.Equal(PaymentStatus.Pending, payment.Status);
        Assert.Equal(1, payment.Version);
        Assert.Equal(Identifiers.PaymentIdFor("order-1"), payment.PaymentId);
        Assert.Equal(49.90m, payment.Amount);
    }

    [Fact]
    public void Succeed_Pending_SucceededWithReferenceAndNextVersion()
    {
        var payment = Payment.Start(Command, Now).Succeed("gw_1", Now.AddSeconds(1));

        Assert.Equal(PaymentStatus.Succeeded, payment.Status);
        Assert.Equal("gw_1", payment.GatewayReference);
        Assert.Equal(2, payment.Version);
        Assert.Equal(Now.AddSeconds(1), payment.UpdatedAt);
    }

    [Fact]
    public void Fail_Pending_FailedWithReason()
    {
        var payment = Payment.Start(Command, Now).Fail("limit", Now);

        Assert.Equal(PaymentStatus.Failed, payment.Status);
        Assert.Equal("limit", payment.FailureReason);
        Assert.Equal(2, payment.Version);
    }

    [Fact]
    public void Succeed_AlreadySettled_Throws()
    {
        var failed = Payment.Start(Command, Now).Fail("limit", Now);
        var succeeded = Payment.Start(Command, Now).Succeed("gw_1", Now);

        Assert.Throws<InvalidOperationException>(() => failed.Succeed("gw_2", Now));
        Assert.Throws<InvalidOperationException>(() => succeeded.Fail("late", Now));
    }

    [Theory]
    [InlineData("customer-2", 49.90, "EUR")]
    [InlineData("customer-1", 50.00, "EUR")]
    [InlineData("customer-1", 49.90, "USD")]
    public void IsSameCharge_OtherCustomerAmountOrCurrency_False(string customerId, decimal amount, string currency) =>
        Assert.False(Payment.Start(Command, Now).IsSameCharge(Command with { CustomerId = customerId, Amount = amount, Currency = currency }));

    [Fact]
    public void IsSameCharge_SameRequestWithEquivalentDecimal_True() =>
        Assert.True(Payment.Start(Command, Now).IsSameCharge(Command with { Amount = 49.9m }));
}
