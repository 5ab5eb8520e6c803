using Sidecar.Hosting;
using Sidecar.Resources;

namespace Sidecar.State;

/// <summary>Creates the store implementation for a state component's type and version.</summary>
internal static class StateStoreFactory
{
    public static IStateStore Create(ComponentResource component, SidecarOptions options) => component.Type switch
    {
        _ => throw new ResourceException(component.SourceFile, "spec.type", $"state store type '{component.Type}' {component.Version} is not implemented yet"),
    };
}
