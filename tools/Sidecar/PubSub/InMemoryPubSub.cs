using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Sidecar.PubSub;

/// <summary>
/// pubsub.in-memory: lives inside this sidecar process. Each subscriber gets its own serial queue per topic;
/// a publish with no subscriber is lost; a failed delivery is logged and dropped (contract §4.7).
/// </summary>
public sealed class InMemoryPubSub(string componentName, ILogger logger) : IPubSubBroker, IBrokerLogging
{
    private ILogger _logger = logger;

    private readonly ConcurrentDictionary<string, ImmutableSubscribers> _topics = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposed = new();
    private readonly ConcurrentBag<Task> _loops = [];

    public void UseLogger(ILogger logger) => _logger = logger;

    public Task InitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PublishAsync(string topic, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (_topics.TryGetValue(topic, out var subscribers))
        {
            var message = new BrokerMessage(topic, data.ToArray(), new Dictionary<string, string>(metadata, StringComparer.Ordinal));
            foreach (var queue in subscribers.Queues)
            {
                queue.Writer.TryWrite(message);
            }
        }

        return Task.CompletedTask;
    }

    public Task SubscribeAsync(string topic, Func<BrokerMessage, CancellationToken, Task> handler, CancellationToken stoppingToken)
    {
        var queue = Channel.CreateUnbounded<BrokerMessage>(new UnboundedChannelOptions { SingleReader = true });
        _topics.AddOrUpdate(topic, _ => new ImmutableSubscribers([queue]), (_, existing) => new ImmutableSubscribers([.. existing.Queues, queue]));
        var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _disposed.Token);
        _loops.Add(Task.Run(() => DeliverLoopAsync(topic, queue, handler, linked), CancellationToken.None));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        await Task.WhenAll(_loops);
        _disposed.Dispose();
    }

    private async Task DeliverLoopAsync(string topic, Channel<BrokerMessage> queue, Func<BrokerMessage, CancellationToken, Task> handler, CancellationTokenSource linked)
    {
        var token = linked.Token;
        try
        {
            await foreach (var message in queue.Reader.ReadAllAsync(token))
            {
                try
                {
                    await handler(message, token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    PubSubLog.InMemoryDeliveryDropped(_logger, componentName, topic, ex.Message);
                }
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Subscription stopped; a handler that failed because of it must not make DisposeAsync throw and skip
            // the disposal of the registry's other components (the message dies with the in-memory broker anyway).
        }
        finally
        {
            _topics.AddOrUpdate(topic, _ => new ImmutableSubscribers([]), (_, existing) => new ImmutableSubscribers([.. existing.Queues.Where(q => q != queue)]));
            linked.Dispose();
        }
    }

    private sealed record ImmutableSubscribers(IReadOnlyList<Channel<BrokerMessage>> Queues);
}
