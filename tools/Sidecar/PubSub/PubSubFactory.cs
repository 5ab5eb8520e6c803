using Sidecar.Hosting;
using Sidecar.Resources;

namespace Sidecar.PubSub;

/// <summary>Creates the broker implementation for a pub/sub component's type.</summary>
internal static class PubSubFactory
{
    public static IPubSubBroker Create(ComponentResource component, SidecarOptions options) => component.Type switch
    {
        _ => throw new ResourceException(component.SourceFile, "spec.type", $"pub/sub type '{component.Type}' is not implemented yet"),
    };
}
