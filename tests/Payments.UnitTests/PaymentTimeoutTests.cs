using Payments.Domain;

namespace Payments.UnitTests;

/// <summary>A choreographed charge the gateway did not answer in time: TimedOut, then its late outcome.</summary>
public sealed class PaymentTimeoutTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Payment Pending = Payment.Start(new ChargeCommand("order-1", "customer-1", 20m, "EUR"), Now);

    [Fact]
    public void TimeOut_Pending_TimedOutWithTheTimeoutReasonAndItsTime()
    {
        var timedOut = Pending.TimeOut(Now.AddSeconds(30));

        Assert.Equal(PaymentStatus.TimedOut, timedOut.Status);
        Assert.Equal(Payment.TimeoutReason, timedOut.FailureReason);
        Assert.Equal((2L, Now.AddSeconds(30), Now.AddSeconds(30)), (timedOut.Version, timedOut.UpdatedAt, timedOut.TimedOutAt));
        Assert.Null(timedOut.GatewayReference);
        Assert.Null(timedOut.SucceededAt);
    }

    [Fact]
    public void TimeOut_AlreadySettledOrTimedOut_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => Pending.Succeed("gw", Now).TimeOut(Now));
        Assert.Throws<InvalidOperationException>(() => Pending.Fail("declined", Now).TimeOut(Now));
        Assert.Throws<InvalidOperationException>(() => Pending.TimeOut(Now).TimeOut(Now));
    }

    [Fact]
    public void SettleLate_Approved_RefundedKeepingTheReferenceAndTheTimeout()
    {
        var refunded = Pending.TimeOut(Now.AddSeconds(30)).SettleLate(new GatewayDecision.Approved(), "gw_late", Now.AddSeconds(40));

        Assert.Equal(PaymentStatus.Refunded, refunded.Status);
        Assert.Equal("gw_late", refunded.GatewayReference);
        Assert.Equal(Payment.LateChargeRefundReason, refunded.RefundReason);
        Assert.Equal((3L, Now.AddSeconds(40), Now.AddSeconds(30)), (refunded.Version, refunded.UpdatedAt, refunded.TimedOutAt));
        // It never succeeded as far as anyone was told: the read side must not restore a PaymentSucceeded.
        Assert.Null(refunded.SucceededAt);
        Assert.Equal(Payment.TimeoutReason, refunded.FailureReason);
    }

    [Fact]
    public void SettleLate_Declined_FailedKeepingThePublishedReason()
    {
        var failed = Pending.TimeOut(Now.AddSeconds(30)).SettleLate(new GatewayDecision.Declined("limit"), "gw_late", Now.AddSeconds(40));

        Assert.Equal(PaymentStatus.Failed, failed.Status);
        Assert.Equal(Payment.TimeoutReason, failed.FailureReason);
        Assert.Equal((3L, Now.AddSeconds(30)), (failed.Version, failed.TimedOutAt));
        Assert.Null(failed.RefundReason);
    }

    [Fact]
    public void SettleLate_NotTimedOut_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => Pending.SettleLate(new GatewayDecision.Approved(), "gw", Now));
        Assert.Throws<InvalidOperationException>(() => Pending.Succeed("gw", Now).SettleLate(new GatewayDecision.Approved(), "gw", Now));
        var refunded = Pending.TimeOut(Now).SettleLate(new GatewayDecision.Approved(), "gw", Now);
        Assert.Throws<InvalidOperationException>(() => refunded.SettleLate(new GatewayDecision.Approved(), "gw", Now));
    }

    [Fact]
    public void TimedOut_CannotSucceedOrFail()
    {
        var timedOut = Pending.TimeOut(Now);

        Assert.Throws<InvalidOperationException>(() => timedOut.Succeed("gw", Now));
        Assert.Throws<InvalidOperationException>(() => timedOut.Fail("declined", Now));
    }

    [Fact]
    public void DecideRefund_TimedOut_RefusedTheLateChargeIsRefundedByItself() =>
        Assert.Contains("refunded automatically", Assert.IsType<RefundDecision.Refused>(Pending.TimeOut(Now).DecideRefund("x", Now)).Reason, StringComparison.Ordinal);

    [Fact]
    public void AfterRefund_TimedOut_ContradictsAConfirmedOrder() =>
        Assert.Equal(RefundVerdict.Contradiction, ChoreographyRules.AfterRefund(PaymentStatus.TimedOut));
}
