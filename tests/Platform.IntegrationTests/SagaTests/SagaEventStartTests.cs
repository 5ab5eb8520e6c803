using Platform.IntegrationTests.Infrastructure;
using Sidecar.Faults;

namespace Platform.IntegrationTests.SagaTests;

/// <summary>The orders sidecar fails every invocation of order-saga, so only the OrderPlaced event can start sagas.</summary>
public sealed class FastPathDownWorld(PostgresFixture postgres) : SagaWorld(postgres)
{
    protected override FaultOptions? OrdersFaults => new() { InvokeFailProbability = 1, InvokeFailStatus = 503, InvokeFailApps = ["order-saga"] };
}

public sealed class SagaEventStartTests(FastPathDownWorld world) : IClassFixture<FastPathDownWorld>
{
    [Fact]
    public async Task OrderPlaced_FastPathFailed_StartsTheSagaFromTheEvent()
    {
        var customer = SagaWorld.NewId("cust");
        var sku = await world.NewProductAsync(4.20m, stock: 4);

        // The order is placed although the fast path failed (only logged).
        var (orderId, _) = await world.PlaceOrderAsync(customer, sku, quantity: 3);
        var end = await world.FinishedAsync(orderId, customer, sku);

        Assert.Equal(new OrderWorld("completed", null, "", "Confirmed", null, "Succeeded", "Committed", 1, 0, 3, 12), end);
    }
}
