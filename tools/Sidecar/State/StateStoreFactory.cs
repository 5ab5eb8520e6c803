using Sidecar.Hosting;
using Sidecar.Resources;

namespace Sidecar.State;

/// <summary>Creates the store implementation for a state component's type and version.</summary>
internal static class StateStoreFactory
{
    public static IStateStore Create(ComponentResource component, SidecarOptions options, ILoggerFactory? loggerFactory = null)
    {
        var logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger($"Sidecar.State.{component.Name}");
        try
        {
            return (component.Type, component.Version) switch
            {
                ("state.postgresql", "" or "v1") => new PostgresV1StateStore(component.Name, component.Metadata, logger),
                ("state.postgresql", "v2") => new PostgresV2StateStore(component.Name, component.Metadata, logger),
                ("state.redis", "" or "v1") => new RedisStateStore(component.Metadata),
                ("state.in-memory", "" or "v1") => new InMemoryStateStore(TimeProvider.System),
                _ => throw new ResourceException(component.SourceFile, "spec.type", $"state store type '{component.Type}' {component.Version} is not supported"),
            };
        }
        catch (ArgumentException ex)
        {
            throw new ResourceException(component.SourceFile, $"component '{component.Name}'", ex.Message);
        }
    }
}
