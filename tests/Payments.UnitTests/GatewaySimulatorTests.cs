using Microsoft.Extensions.Options;
using Payments.Domain;
using Payments.Gateway;

namespace Payments.UnitTests;

public sealed class GatewaySimulatorTests
{
    private static PaymentGatewaySimulator Simulator(GatewayOptions? options = null) => new(Options.Create(options ?? new GatewayOptions()), TimeProvider.System);

    [Fact]
    public async Task Charge_ConcurrentRequestsSameKey_ChargedOnceSameOutcome()
    {
        var gateway = Simulator();
        var request = new GatewayChargeRequest("order-1", "customer-1", 10m, "EUR");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => gateway.ChargeAsync(request, TestContext.Current.CancellationToken))));

        Assert.Single(outcomes.Select(o => o.Reference).Distinct());
        var record = gateway.Find("order-1");
        Assert.NotNull(record);
        Assert.Equal(16, record.Requests);
        Assert.Equal(1, record.Charges);
        Assert.Equal("Approved", record.Outcome);
    }

    [Fact]
    public async Task Charge_DeclinedCustomer_DeclineRecordedAndRepeated()
    {
        var gateway = Simulator(new GatewayOptions { DeclinedCustomers = ["blocked"] });
        var request = new GatewayChargeRequest("order-2", "blocked", 10m, "EUR");

        var first = await gateway.ChargeAsync(request, TestContext.Current.CancellationToken);
        var second = await gateway.ChargeAsync(request, TestContext.Current.CancellationToken);

        Assert.IsType<GatewayDecision.Declined>(first.Decision);
        Assert.Equal(first, second);
        Assert.Equal("Declined", gateway.Find("order-2")?.Outcome);
        Assert.Equal(1, gateway.Find("order-2")?.Charges);
    }

    [Fact]
    public async Task Refund_Repeated_CountedOnce()
    {
        var gateway = Simulator();
        await gateway.ChargeAsync(new GatewayChargeRequest("order-3", "customer-1", 10m, "EUR"), TestContext.Current.CancellationToken);

        await gateway.RefundAsync("order-3", TestContext.Current.CancellationToken);
        await gateway.RefundAsync("order-3", TestContext.Current.CancellationToken);

        Assert.Equal(1, gateway.Find("order-3")?.Refunds);
    }

    [Fact]
    public void Find_NeverCharged_Null() => Assert.Null(Simulator().Find("order-unknown"));

    [Fact]
    public async Task LedgerFile_ProcessRestarted_RecordedChargesAnsweredNotChargedAgain()
    {
        var ledger = Path.Combine(Path.GetTempPath(), $"gateway-{Guid.NewGuid():N}.jsonl");
        try
        {
            var options = new GatewayOptions { LedgerFile = ledger, DeclinedCustomers = ["blocked"] };
            var before = Simulator(options);
            var approved = await before.ChargeAsync(new GatewayChargeRequest("order-a", "customer-1", 10m, "EUR"), TestContext.Current.CancellationToken);
            var declined = await before.ChargeAsync(new GatewayChargeRequest("order-b", "blocked", 10m, "EUR"), TestContext.Current.CancellationToken);
            await before.RefundAsync("order-a", TestContext.Current.CancellationToken);
            // A crash mid-write leaves a torn line: it was never acknowledged, so it is no charge.
            await File.AppendAllTextAsync(ledger, "{\"key\":\"order-c\",\"ref", TestContext.Current.CancellationToken);

            var after = Simulator(options);
            var again = await after.ChargeAsync(new GatewayChargeRequest("order-a", "customer-1", 10m, "EUR"), TestContext.Current.CancellationToken);

            Assert.Equal(approved, again);
            Assert.Equal(1, after.Find("order-a")?.Charges);
            Assert.Equal(1, after.Find("order-a")?.Refunds);
            Assert.Equal(declined, await after.ChargeAsync(new GatewayChargeRequest("order-b", "blocked", 10m, "EUR"), TestContext.Current.CancellationToken));
            Assert.Null(after.Find("order-c"));
        }
        finally
        {
            File.Delete(ledger);
        }
    }

    [Fact]
    public async Task LedgerFile_Unset_NothingWrittenAndRestartForgets()
    {
        var first = Simulator();
        await first.ChargeAsync(new GatewayChargeRequest("order-m", "customer-1", 10m, "EUR"), TestContext.Current.CancellationToken);

        Assert.Null(Simulator().Find("order-m"));
    }
}
