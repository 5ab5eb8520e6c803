using Catalog.Products;

namespace Catalog.UnitTests;

public sealed class ProductWriteGateTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enter_SameSkuHeld_WaitsUntilReleased()
    {
        var gate = new ProductWriteGate();
        var first = await gate.EnterAsync("SKU-1", Cancel);

        var second = gate.EnterAsync("SKU-1", Cancel);
        await Task.Delay(50, Cancel);
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5), Cancel)).Dispose();
    }

    [Fact]
    public async Task Enter_OtherSku_DoesNotWait()
    {
        var gate = new ProductWriteGate();
        using var first = await gate.EnterAsync("SKU-1", Cancel);

        var other = gate.EnterAsync("SKU-2", Cancel);

        Assert.True(other.IsCompletedSuccessfully);
        (await other).Dispose();
    }

    [Fact]
    public async Task Enter_WaiterCancelled_GateStillPassesTheNextWriter()
    {
        var gate = new ProductWriteGate();
        var first = await gate.EnterAsync("SKU-1", Cancel);
        using var cancelled = new CancellationTokenSource();
        var waiter = gate.EnterAsync("SKU-1", cancelled.Token);

        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        first.Dispose();

        (await gate.EnterAsync("SKU-1", Cancel).WaitAsync(TimeSpan.FromSeconds(5), Cancel)).Dispose();
    }

    [Fact]
    public async Task Dispose_Twice_ReleasesOnce()
    {
        var gate = new ProductWriteGate();
        var first = await gate.EnterAsync("SKU-1", Cancel);
        var second = gate.EnterAsync("SKU-1", Cancel);
        var third = gate.EnterAsync("SKU-1", Cancel);

        first.Dispose();
        first.Dispose();
        await second.WaitAsync(TimeSpan.FromSeconds(5), Cancel);
        await Task.Delay(50, Cancel);

        Assert.False(third.IsCompleted);
        (await second).Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5), Cancel)).Dispose();
    }
}
