using OrderQuery.Domain;
using Platform.IntegrationTests.Infrastructure;
using Sidecar.Faults;

namespace Platform.IntegrationTests.OrderQueryTests;

/// <summary>The sidecar duplicates and reorders deliveries on purpose; the views still converge to the same answer.</summary>
public sealed class FaultInjectionTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Projection_DuplicatedAndReorderedDeliveries_EveryOrderConverges()
    {
        await using var environment = await ServiceEnvironment.StartAsync(postgres.Server);
        var service = await ReadSide.StartAsync(environment, await ReadSide.CreateDatabaseAsync(environment), FaultOptions.Parse("seed=3,duplicate=0.3,reorder=0.3"));
        var customer = ReadSide.NewId("cust");
        var confirmed = Enumerable.Range(0, 4).Select(i => new SampleOrder(Guid.NewGuid().ToString(), customer, DateTimeOffset.UtcNow.AddMinutes(-i))).ToList();
        var cancelled = Enumerable.Range(0, 3).Select(i => new SampleOrder(Guid.NewGuid().ToString(), customer, DateTimeOffset.UtcNow.AddMinutes(-10 - i))).ToList();

        foreach (var order in confirmed)
        {
            await service.PublishAsync("orders", "OrderPlaced", order.Placed());
            await service.PublishAsync("inventory", "StockReserved", order.Reserved());
            await service.PublishAsync("payments", "PaymentSucceeded", order.Paid());
            await service.PublishAsync("orders", "OrderConfirmed", order.Confirmed());
        }

        foreach (var order in cancelled)
        {
            await service.PublishAsync("orders", "OrderPlaced", order.Placed());
            await service.PublishAsync("inventory", "StockRejected", order.Rejected());
            await service.PublishAsync("orders", "OrderCancelled", order.Cancelled("out of stock"));
        }

        foreach (var order in confirmed)
        {
            var summary = await service.SummaryWhenAsync(order.OrderId, s => s.Timeline.Count == 4, $"order {order.OrderId} complete");
            Assert.Equal(SagaStatus.Confirmed, summary.SagaStatus);
            Assert.Equal(PaymentState.Succeeded, summary.Payment!.Status);
            Assert.Single(summary.Lines);
            Assert.Equal(["OrderPlaced", "StockReserved", "PaymentSucceeded", "OrderConfirmed"], summary.Timeline.Select(t => t.EventType));
        }

        foreach (var order in cancelled)
        {
            var summary = await service.SummaryWhenAsync(order.OrderId, s => s.Timeline.Count == 3, $"order {order.OrderId} complete");
            Assert.Equal(SagaStatus.Cancelled, summary.SagaStatus);
            Assert.Equal("out of stock", summary.SagaReason);
            Assert.Single(summary.Lines);
        }
    }
}
