using Payments.Domain;

namespace Payments.UnitTests;

public sealed class RefundRulesTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Payment Pending = Payment.Start(new ChargeCommand("order-1", "customer-1", 20m, "USD"), Now);

    [Fact]
    public void DecideRefund_Succeeded_RefundedAtNextVersionWithReason()
    {
        var decision = Pending.Succeed("gw", Now).DecideRefund("cancelled", Now.AddMinutes(1));

        var refund = Assert.IsType<RefundDecision.Refund>(decision);
        Assert.Equal(PaymentStatus.Refunded, refund.Refunded.Status);
        Assert.Equal(3, refund.Refunded.Version);
        Assert.Equal("cancelled", refund.Refunded.RefundReason);
    }

    [Fact]
    public void DecideRefund_AlreadyRefunded_AnsweredUnchanged()
    {
        var refunded = Assert.IsType<RefundDecision.Refund>(Pending.Succeed("gw", Now).DecideRefund("first", Now)).Refunded;

        var again = Assert.IsType<RefundDecision.AlreadyRefunded>(refunded.DecideRefund("second", Now));

        Assert.Same(refunded, again.Payment);
        Assert.Equal("first", again.Payment.RefundReason);
    }

    [Fact]
    public void DecideRefund_Failed_RefusedNothingCharged() =>
        Assert.Contains("nothing to refund", Assert.IsType<RefundDecision.Refused>(Pending.Fail("declined", Now).DecideRefund("x", Now)).Reason, StringComparison.Ordinal);

    [Fact]
    public void DecideRefund_Pending_Refused() =>
        Assert.IsType<RefundDecision.Refused>(Pending.DecideRefund("x", Now));
}
