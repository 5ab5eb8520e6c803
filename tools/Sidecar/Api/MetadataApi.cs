using System.Collections.Concurrent;
using Dapr.Client.Autogen.Grpc.v1;
using Sidecar.Components;
using Sidecar.Hosting;

namespace Sidecar.Api;

/// <summary>GetMetadata / SetMetadata / Shutdown: enough for the SDK's start-up checks and for diagnostics.</summary>
public sealed class MetadataApi(SidecarOptions options, ComponentRegistry registry, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<string, string> _extended = new(StringComparer.Ordinal);

    public GetMetadataResponse Get()
    {
        var response = new GetMetadataResponse
        {
            Id = options.AppId,
            RuntimeVersion = "1.18.0-sidecar",
            ActorRuntime = new ActorRuntime { RuntimeStatus = ActorRuntime.Types.ActorRuntimeStatus.Disabled },
        };
        foreach (var component in registry.All)
        {
            var registered = new RegisteredComponents { Name = component.Name, Type = component.Type, Version = component.Version };
            registered.Capabilities.AddRange(Capabilities(component.Type, component.Version));
            response.RegisteredComponents.Add(registered);
        }

        foreach (var (key, value) in _extended)
        {
            response.ExtendedMetadata[key] = value;
        }

        return response;
    }

    public void Set(string key, string value) => _extended[key] = value;

    public void RequestShutdown() => lifetime.StopApplication();

    // What the real components' Features() report (dapr/components/validation-extras.yaml goFeatures).
    private static string[] Capabilities(string type, string version) => (type, version) switch
    {
        ("state.postgresql", "v1") => ["ETAG", "TRANSACTIONAL", "TTL", "QUERY_API", "ACTOR"],
        ("state.postgresql", _) or ("state.redis", _) => ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"],
        ("state.in-memory", _) => ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"],
        ("pubsub.in-memory", _) => ["SUBSCRIBE_WILDCARDS"],
        _ => [],
    };
}
