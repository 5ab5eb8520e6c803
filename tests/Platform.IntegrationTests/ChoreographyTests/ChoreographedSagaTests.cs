using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// The choreographed order saga (DESIGN §3) across the real orders, payments and inventory apps and their
/// sidecars, no coordinator: every scenario checks the final state in every service.
/// </summary>
public sealed class ChoreographedSagaTests(ReliableChoreographyEnvironment world) : IClassFixture<ReliableChoreographyEnvironment>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChoreographedOrder_StockAndPaymentSucceed_ConfirmedChargedCommittedAndCredited()
    {
        var sku = await world.NewProductAsync(12.75m, units: 5);
        var customer = ChoreographyEnvironment.NewId("cust");

        var orderId = await world.PlaceAsync(customer, sku, quantity: 2);

        var order = await world.TerminalOrderAsync(orderId);
        Assert.Equal("Confirmed", order.GetProperty("status").GetString());
        var payment = (await world.PaymentAsync(orderId))!.Value;
        Assert.Equal("Succeeded", payment.GetProperty("status").GetString());
        Assert.Equal(25.50m, payment.GetProperty("amount").GetDecimal());
        Assert.Equal(customer, payment.GetProperty("customerId").GetString());
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), status => status == "Committed", "inventory commits the stock of the confirmed order");
        // The status is stored before the SKU records are settled (inventory README, rule 2): wait for the settlement.
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(sku), stock => stock == (3L, 0L, 2L, 5L), "the committed units leave the SKU's reserved count");
        await ChoreographyEnvironment.EventuallyAsync(() => world.CreditBalanceAsync(customer), balance => balance == 25, "payments awards floor(25.50) points");
        Assert.Equal(1, (await world.GatewayChargeAsync(orderId))!.Value.GetProperty("charges").GetInt32());
    }

    [Fact]
    public async Task ChoreographedOrder_OutOfStock_CancelledWithReasonNothingChargedStockUntouched()
    {
        var sku = await world.NewProductAsync(10m, units: 1);
        var customer = ChoreographyEnvironment.NewId("cust");

        var orderId = await world.PlaceAsync(customer, sku, quantity: 3);

        var order = await world.TerminalOrderAsync(orderId);
        Assert.Equal("Cancelled", order.GetProperty("status").GetString());
        Assert.StartsWith("Stock rejected", order.GetProperty("cancellationReason").GetString());
        Assert.Equal("Rejected", await world.ReservationStatusAsync(orderId));
        Assert.Equal((1L, 0L, 0L, 1L), await world.StockAsync(sku));
        Assert.Null(await world.PaymentAsync(orderId));
        Assert.Null(await world.GatewayChargeAsync(orderId));
        Assert.Null(await world.CreditAsync(customer));
    }

    [Fact]
    public async Task ChoreographedOrder_PaymentDeclined_CancelledStockReleasedNoCredit()
    {
        var sku = await world.NewProductAsync(600m, units: 3);
        var customer = ChoreographyEnvironment.NewId("cust");

        var orderId = await world.PlaceAsync(customer, sku, quantity: 2); // 1200 > the gateway's decline limit

        var order = await world.TerminalOrderAsync(orderId);
        Assert.Equal("Cancelled", order.GetProperty("status").GetString());
        Assert.StartsWith("Payment failed", order.GetProperty("cancellationReason").GetString());
        Assert.Equal("Failed", (await world.PaymentAsync(orderId))!.Value.GetProperty("status").GetString());
        await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), status => status == "Released", "inventory releases the stock (the compensation)");
        // The reservation's status is stored before the SKU's counts move back (services/Inventory/README.md).
        await ChoreographyEnvironment.EventuallyAsync(() => world.StockAsync(sku), stock => stock == (3L, 0L, 0L, 3L), "the released units are available again");
        Assert.Null(await world.CreditAsync(customer));
    }

    /// <summary>
    /// Orchestrated orders see the same events (the workflow calls the same endpoints, which publish them): every
    /// choreography consumer must leave them alone. The test plays the workflow's calls itself and uses later
    /// choreographed orders, whose events travel the same topics, as barriers before checking nothing happened.
    /// </summary>
    [Fact]
    public async Task OrchestratedOrder_EventsOfEveryStep_IgnoredByEveryChoreographyConsumer()
    {
        var cheap = await world.NewProductAsync(10m, units: 5);
        var dear = await world.NewProductAsync(600m, units: 5);
        var customer = ChoreographyEnvironment.NewId("cust");
        var paid = await world.PlaceAsync(customer, cheap, quantity: 1, sagaMode: "Orchestration");
        var declined = await world.PlaceAsync(customer, dear, quantity: 2, sagaMode: "Orchestration");

        // OrderPlaced: inventory reserves nothing, payments keeps the copy that tells the mode.
        await ChoreographyEnvironment.EventuallyAsync(() => PaymentsCopyModeAsync(paid), mode => mode == "Orchestration", "payments keeps the orchestrated order's copy");
        await ChoreographyEnvironment.EventuallyAsync(() => PaymentsCopyModeAsync(declined), mode => mode == "Orchestration", "payments keeps the orchestrated order's copy");
        // The workflow's reserve step → StockReserved, which payments must not charge.
        Assert.Equal(HttpStatusCode.Created, (await ReserveAsync(paid, cheap, 1)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await ReserveAsync(declined, dear, 2)).StatusCode);
        await BarrierAsync(declines: false);
        Assert.Null(await world.PaymentAsync(paid));
        Assert.Null(await world.PaymentAsync(declined));
        Assert.Null(await InventoryMarkerAsync(paid));

        // The workflow's charge step → PaymentSucceeded / PaymentFailed, which orders and inventory must not act on.
        Assert.Equal(HttpStatusCode.Created, (await ChargeAsync(paid, customer, 10m)).StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, (await ChargeAsync(declined, customer, 1200m)).StatusCode);
        await BarrierAsync(declines: true);
        Assert.Equal("Placed", (await world.OrderAsync(paid)).GetProperty("status").GetString());
        Assert.Equal("Placed", (await world.OrderAsync(declined)).GetProperty("status").GetString());
        Assert.Equal("Reserved", await world.ReservationStatusAsync(declined));
        Assert.Equal((3L, 2L, 0L, 5L), await world.StockAsync(dear));

        // The workflow's confirm step → OrderConfirmed, which must neither commit stock nor award credit.
        Assert.Equal(HttpStatusCode.OK, (await world.Orders.Http.PostAsync($"/orders/{paid}/confirm", null, Cancellation)).StatusCode);
        await BarrierAsync(declines: false);
        Assert.Equal("Reserved", await world.ReservationStatusAsync(paid));
        Assert.Equal((4L, 1L, 0L, 5L), await world.StockAsync(cheap));
        Assert.Null(await world.CreditAsync(customer));
        Assert.Equal(1, (await world.GatewayChargeAsync(paid))!.Value.GetProperty("charges").GetInt32());
    }

    /// <summary>A choreographed order run to its end: its events follow the earlier ones on the same topics.</summary>
    private async Task BarrierAsync(bool declines)
    {
        var sku = await world.NewProductAsync(declines ? 600m : 10m, units: 2);
        var customer = ChoreographyEnvironment.NewId("barrier");
        var orderId = await world.PlaceAsync(customer, sku, quantity: 2);
        Assert.Equal(declines ? "Cancelled" : "Confirmed", (await world.TerminalOrderAsync(orderId)).GetProperty("status").GetString());
        if (declines)
        {
            await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), status => status == "Released", "barrier order released");
        }
        else
        {
            await ChoreographyEnvironment.EventuallyAsync(() => world.ReservationStatusAsync(orderId), status => status == "Committed", "barrier order committed");
            await ChoreographyEnvironment.EventuallyAsync(() => world.CreditBalanceAsync(customer), balance => balance == 20, "barrier order credited");
        }
    }

    private Task<HttpResponseMessage> ReserveAsync(string orderId, string sku, int quantity) =>
        world.Inventory.Http.PostAsJsonAsync("/reservations", new { orderId, lines = new[] { new { sku, quantity } } }, Cancellation);

    private Task<HttpResponseMessage> ChargeAsync(string orderId, string customerId, decimal amount) =>
        world.Payments.Http.PostAsJsonAsync("/payments", new { orderId, customerId, amount, currency = "EUR" }, Cancellation);

    private async Task<string?> PaymentsCopyModeAsync(string orderId) =>
        (await world.Payments.Dapr.GetStateAsync<JsonElement?>(global::Payments.DaprNames.StateStore, global::Payments.Choreography.SagaOrderStore.Key(orderId), cancellationToken: Cancellation))
        ?.GetProperty("sagaMode").GetString();

    private Task<JsonElement?> InventoryMarkerAsync(string orderId) =>
        world.Inventory.Dapr.GetStateAsync<JsonElement?>(global::Inventory.DaprNames.StateStore, global::Inventory.Choreography.SagaMarkerStore.Key(orderId), cancellationToken: Cancellation);
}
