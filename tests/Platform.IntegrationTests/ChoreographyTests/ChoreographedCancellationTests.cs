using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.IntegrationTests.ChoreographyTests;

/// <summary>
/// A customer cancels a confirmed choreographed order, no coordinator: payments revokes the credit and refunds
/// (PaymentRefunded), inventory returns the committed stock (StockReturned), orders ends Cancelled once both are
/// reported — the same final state in every service as the orchestrated cancellation.
/// </summary>
public abstract class ChoreographedCancellationTests(ChoreographyEnvironment world)
{
    private static readonly string[] RevokedStatuses = ["Revoked", "RevokedBeforeAward"];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChoreographedOrder_CustomerCancelsAfterConfirmation_RefundedRestockedCreditRevokedCancelled()
    {
        var sku = await world.NewProductAsync(12.75m, units: 5);
        var customer = ChoreographyEnvironment.NewId("cust");
        var orderId = await world.PlaceAsync(customer, sku, quantity: 2);
        Assert.Equal("Confirmed", (await world.TerminalOrderAsync(orderId)).GetProperty("status").GetString());
        // Cancelled right after the confirmation: the commit and the award may still be on their way.
        var responses = await Task.WhenAll(RequestCancellationAsync(orderId, "changed my mind"), RequestCancellationAsync(orderId, "changed my mind"));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));

        var order = await ChoreographyEnvironment.EventuallyAsync(
            () => world.OrderAsync(orderId), o => o.GetProperty("status").GetString() == "Cancelled", "the reports of both compensations cancel the order");

        Assert.Equal("changed my mind", order.GetProperty("cancellationReason").GetString());
        Assert.Equal("Refunded", (await world.PaymentAsync(orderId))!.Value.GetProperty("status").GetString());
        Assert.Equal("Returned", await world.ReservationStatusAsync(orderId));
        Assert.Equal((5L, 0L, 0L, 5L), await world.StockAsync(sku));
        // The award may arrive after the revocation: either way no point stays, and the entry says revoked.
        var credit = await ChoreographyEnvironment.EventuallyAsync(
            () => world.CreditAsync(customer), c => c is { } x && x.GetProperty("orders").GetArrayLength() == 1, "payments records the order's credit");
        Assert.Equal(0, credit!.Value.GetProperty("balance").GetInt64());
        Assert.Contains(credit.Value.GetProperty("orders")[0].GetProperty("status").GetString(), RevokedStatuses);
        Assert.Equal(1, (await world.GatewayChargeAsync(orderId))!.Value.GetProperty("charges").GetInt32());

        var again = await RequestCancellationAsync(orderId, "again");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("Cancelled", (await again.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("status").GetString());
    }

    private Task<HttpResponseMessage> RequestCancellationAsync(string orderId, string reason) =>
        world.Orders.Http.PostAsJsonAsync($"/orders/{orderId}/cancellation", new { reason }, Cancellation);
}

public sealed class ReliableChoreographedCancellationTests(ReliableChoreographyEnvironment world)
    : ChoreographedCancellationTests(world), IClassFixture<ReliableChoreographyEnvironment>;

/// <summary>The same with every sidecar duplicating and reordering deliveries.</summary>
public sealed class FaultyChoreographedCancellationTests(FaultyChoreographyEnvironment world)
    : ChoreographedCancellationTests(world), IClassFixture<FaultyChoreographyEnvironment>;
