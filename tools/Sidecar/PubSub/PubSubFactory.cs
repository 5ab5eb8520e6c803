using Sidecar.Hosting;
using Sidecar.Resources;

namespace Sidecar.PubSub;

/// <summary>Creates the broker implementation for a pub/sub component's type.</summary>
internal static class PubSubFactory
{
    public static IPubSubBroker Create(ComponentResource component, SidecarOptions options, ILoggerFactory? loggerFactory = null)
    {
        var logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger($"Sidecar.PubSub.{component.Name}");
        return component.Type switch
        {
            "pubsub.in-memory" => new InMemoryPubSub(component.Name, logger),
            "pubsub.redis" => new RedisStreamsPubSub(component.Name, RedisStreamsSettings.From(component, options.AppId), logger),
            _ => throw new ResourceException(component.SourceFile, "spec.type", $"pub/sub type '{component.Type}' is not supported by this sidecar (pubsub.in-memory, pubsub.redis)"),
        };
    }
}
