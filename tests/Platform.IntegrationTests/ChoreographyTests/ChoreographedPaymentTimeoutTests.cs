using System.Globalization;
using System.Net;
using Platform.IntegrationTests.Infrastructure;
using Sidecar.Faults;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// Orders, payments and inventory with a gateway that answers <see cref="SlowPayer"/> long after payments'
/// choreographed charge timeout, and a late-outcome check that only the sidecar's trigger hook fires.
/// </summary>
public sealed class PaymentTimeoutChoreographyEnvironment(PostgresFixture postgres) : ChoreographyEnvironment(postgres)
{
    public const string SlowPayer = "slow-payer";

    protected override FaultOptions? Faults => null;

    protected override IReadOnlyDictionary<string, string?> PaymentsSettings { get; } = new Dictionary<string, string?>
    {
        ["Payments:ChargeTimeout"] = TimeSpan.FromSeconds(1).ToString("c", CultureInfo.InvariantCulture),
        ["Payments:LateOutcomeCheckInterval"] = TimeSpan.FromHours(1).ToString("c", CultureInfo.InvariantCulture),
        ["Payments:Gateway:SlowCustomers:0"] = SlowPayer,
        ["Payments:Gateway:SlowResponse"] = TimeSpan.FromSeconds(6).ToString("c", CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The choreographed saga's payment timeout across the real apps, no coordinator: the order ends as in the
/// orchestrated saga — cancelled for the timeout, the stock released, the late charge refunded.
/// </summary>
public sealed class ChoreographedPaymentTimeoutTests(PaymentTimeoutChoreographyEnvironment world) : IClassFixture<PaymentTimeoutChoreographyEnvironment>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GatewayTooSlow_OrderCancelledForTheTimeoutStockReleased_LateChargeRefunded()
    {
        var sku = await world.NewProductAsync(15m, units: 4);
        var orderId = await world.PlaceAsync(PaymentTimeoutChoreographyEnvironment.SlowPayer, sku, quantity: 2);

        var cancelled = await world.TerminalOrderAsync(orderId);
        Assert.Equal("Cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("Payment failed: payment timed out", cancelled.GetProperty("cancellationReason").GetString());
        Assert.Equal("TimedOut", (await world.PaymentAsync(orderId))!.Value.GetProperty("status").GetString());
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), s => s == "Released", "inventory releases the stock of the timed-out order");
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(sku), stock => stock == (4L, 0L, 0L, 4L), "the released units are available again");

        await ChoreographyEnvironment.EventuallyAsync(
            () => world.GatewayChargeAsync(orderId), charge => charge?.GetProperty("outcome").GetString() is not null, "the gateway answers the charge late");
        using (var sidecar = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{world.Payments.Sidecar.Options.HttpPort}") })
        using (var fired = await sidecar.PostAsync($"/v1.0-test/jobs/payment-timeout-{orderId}/trigger", content: null, Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, fired.StatusCode);
        }

        Assert.Equal("Refunded", (await world.PaymentAsync(orderId))!.Value.GetProperty("status").GetString());
        var gateway = (await world.GatewayChargeAsync(orderId))!.Value;
        Assert.Equal((1, 1), (gateway.GetProperty("charges").GetInt32(), gateway.GetProperty("refunds").GetInt32()));
        Assert.Equal(0, await world.CreditBalanceAsync(PaymentTimeoutChoreographyEnvironment.SlowPayer));
    }
}
