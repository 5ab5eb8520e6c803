namespace Sidecar.PubSub;

/// <summary>A message as the broker stores it: the bytes published (usually CloudEvent JSON) plus metadata.</summary>
public sealed record BrokerMessage(string Topic, ReadOnlyMemory<byte> Data, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// A pub/sub component. A handler that throws is a failed delivery; what happens then is the broker's own
/// behaviour (in-memory: logged and dropped; Redis Streams since contrib 1.17: acknowledged), because
/// daprd's retries and dead-lettering happen before the error reaches the component.
/// </summary>
public interface IPubSubBroker : IAsyncDisposable
{
    Task InitAsync(CancellationToken cancellationToken);

    Task PublishAsync(string topic, ReadOnlyMemory<byte> data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);

    /// <summary>Starts delivering the topic's messages to <paramref name="handler"/> until <paramref name="stoppingToken"/> fires.</summary>
    Task SubscribeAsync(string topic, Func<BrokerMessage, CancellationToken, Task> handler, CancellationToken stoppingToken);
}

/// <summary>
/// Brokers are created with the component registry, before the host's logging exists; the subscription runner
/// hands them the real logger once the host is built.
/// </summary>
public interface IBrokerLogging
{
    void UseLogger(ILogger logger);
}
