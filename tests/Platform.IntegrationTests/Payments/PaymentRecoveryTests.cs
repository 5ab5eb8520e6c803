using System.Net;
using System.Net.Http.Json;
using Payments;
using Payments.Charges;
using Payments.Domain;
using Platform.IntegrationTests.Infrastructure;

namespace Platform.IntegrationTests.PaymentsService;

public sealed class PaymentRecoveryTests(PaymentsFixture payments) : IClassFixture<PaymentsFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Charge_PendingLeftByCrash_CompletedWithOneGatewayCharge()
    {
        var orderId = PaymentsFixture.NewId("order");
        var pending = Payment.Start(new ChargeCommand(orderId, "customer-1", 15m, "EUR"), DateTimeOffset.UtcNow);
        // What a process that died between recording Pending and recording the gateway's answer leaves behind.
        await payments.Service.Dapr.SaveStateAsync(DaprNames.StateStore, PaymentStore.Key(orderId), pending, cancellationToken: Cancellation);

        var response = await payments.ChargeAsync(orderId, "customer-1", 15m);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Succeeded", (await response.Content.ReadFromJsonAsync<PaymentDto>(Cancellation))?.Status);
        Assert.Equal(1, (await payments.Http.GetFromJsonAsync<GatewayChargeDto>($"/gateway/charges/{orderId}", Cancellation))?.Charges);
        Assert.Single(await payments.SettledEventsOfOrderAsync(orderId, "PaymentSucceeded"));
    }

    [Fact]
    public async Task Start_InvalidGatewayOptions_Refused()
    {
        var output = await RefusedStart.OutputAsync<PaymentsOptions>(new Dictionary<string, string> { ["Payments:Gateway:DeclineAmountAbove"] = "-1" });

        Assert.Contains("DeclineAmountAbove", output, StringComparison.Ordinal);
    }
}
