using Microsoft.Extensions.Logging.Abstractions;
using Sidecar.PubSub;

namespace Sidecar.Tests.PubSub;

/// <summary>The in-memory broker on its own, where the sidecar's delivery code is not needed to show the behaviour.</summary>
public sealed class InMemoryPubSubTests
{
    [Fact]
    public async Task Dispose_HandlerFailsBecauseOfTheShutdown_DisposesQuietly()
    {
        var broker = new InMemoryPubSub("memory", NullLogger.Instance);
        var handling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await broker.SubscribeAsync(
            "orders",
            async (_, token) =>
            {
                handling.TrySetResult();
                // A handler that turns the cancellation into another error, as an HTTP call cut off mid-way can.
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                    throw new InvalidOperationException("the app call was cut off");
                }
            },
            TestContext.Current.CancellationToken);
        await broker.PublishAsync("orders", "{}"u8.ToArray(), new Dictionary<string, string>(), TestContext.Current.CancellationToken);
        await handling.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        // Threw InvalidOperationException before: the failed handler escaped the delivery loop during shutdown.
        await broker.DisposeAsync();
    }
}
