namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// The choreographed saga while every sidecar duplicates and reorders deliveries (seed 7, 30 % each): the same
/// final states as without faults, every effect applied once (one gateway charge per order, stock conserved,
/// credit awarded once per order).
/// </summary>
public sealed class ChoreographyFaultTests(FaultyChoreographyEnvironment world) : IClassFixture<FaultyChoreographyEnvironment>
{
    [Fact]
    public async Task ChoreographedOrders_DuplicatedAndReorderedDeliveries_SameFinalStateEffectsOnce()
    {
        var plentiful = await world.NewProductAsync(12.75m, units: 10);
        var scarce = await world.NewProductAsync(5m, units: 1);
        var dear = await world.NewProductAsync(600m, units: 4);
        var customer = ChoreographyEnvironment.NewId("cust");

        var first = await world.PlaceAsync(customer, plentiful, quantity: 2);   // 25.50 → confirmed
        var second = await world.PlaceAsync(customer, plentiful, quantity: 3);  // 38.25 → confirmed
        var short1 = await world.PlaceAsync(customer, scarce, quantity: 3);     // out of stock → cancelled
        var declined = await world.PlaceAsync(customer, dear, quantity: 2);     // 1200 → declined → cancelled

        Assert.Equal("Confirmed", (await world.TerminalOrderAsync(first)).GetProperty("status").GetString());
        Assert.Equal("Confirmed", (await world.TerminalOrderAsync(second)).GetProperty("status").GetString());
        Assert.Equal("Cancelled", (await world.TerminalOrderAsync(short1)).GetProperty("status").GetString());
        Assert.Equal("Cancelled", (await world.TerminalOrderAsync(declined)).GetProperty("status").GetString());

        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(first), s => s == "Committed", "first order committed");
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(second), s => s == "Committed", "second order committed");
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(declined), s => s == "Released", "declined order released");
        Assert.Equal("Rejected", await world.ReservationStatusAsync(short1));
        await ChoreographyEnvironment.EventuallyAsync(() => world.CreditBalanceAsync(customer), balance => balance >= 25 + 38, "both confirmed orders credited");

        // Effects once: stock moved exactly by the confirmed quantities and conserved, one charge per charged order,
        // one award per confirmed order.
        // A reservation's status is stored before the SKU's counts move (services/Inventory/README.md): wait for them.
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(plentiful), stock => stock == (5L, 0L, 5L, 10L), "the confirmed units committed");
        Assert.Equal((1L, 0L, 0L, 1L), await world.StockAsync(scarce));
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(dear), stock => stock == (4L, 0L, 0L, 4L), "the declined order's units released");
        foreach (var charged in new[] { first, second, declined })
        {
            Assert.Equal(1, (await world.GatewayChargeAsync(charged))!.Value.GetProperty("charges").GetInt32());
        }

        Assert.Equal("Succeeded", (await world.PaymentAsync(first))!.Value.GetProperty("status").GetString());
        Assert.Equal("Succeeded", (await world.PaymentAsync(second))!.Value.GetProperty("status").GetString());
        Assert.Equal("Failed", (await world.PaymentAsync(declined))!.Value.GetProperty("status").GetString());
        Assert.Null(await world.PaymentAsync(short1));
        var credit = (await world.CreditAsync(customer))!.Value;
        Assert.Equal(25 + 38, credit.GetProperty("balance").GetInt64());
        Assert.Equal(2, credit.GetProperty("orders").GetArrayLength());
    }
}
