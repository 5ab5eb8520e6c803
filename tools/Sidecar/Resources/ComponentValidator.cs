namespace Sidecar.Resources;

/// <summary>
/// The component types this sidecar drives, and the checks daprd (or the component's Init) makes on
/// their metadata. A component that fails a check stops start-up, as it does in daprd.
/// </summary>
internal static class ComponentValidator
{
    private static readonly Dictionary<string, string[]> SupportedVersions = new(StringComparer.Ordinal)
    {
        ["state.postgresql"] = ["v1", "v2"],
        ["state.redis"] = ["v1"],
        ["state.in-memory"] = ["v1"],
        ["pubsub.redis"] = ["v1"],
        ["pubsub.in-memory"] = ["v1"],
        ["secretstores.local.file"] = ["v1"],
        ["secretstores.local.env"] = ["v1"],
        ["bindings.cron"] = ["v1"],
    };

    public static void Validate(ComponentResource component)
    {
        var type = component.Type == "state.postgres" ? "state.postgresql" : component.Type;
        if (!SupportedVersions.TryGetValue(type, out var versions))
        {
            throw new ResourceException(component.SourceFile, "spec.type", $"component type '{component.Type}' is unknown or not supported by this sidecar (supported: {string.Join(", ", SupportedVersions.Keys)})");
        }

        if (!versions.Contains(component.Version, StringComparer.Ordinal))
        {
            throw new ResourceException(component.SourceFile, "spec.version", $"version '{component.Version}' of {component.Type} is unknown (expected {string.Join(" or ", versions)})");
        }

        switch (type)
        {
            case "state.postgresql":
                RequireOneOf(component, "connectionString", "host");
                break;
            case "state.redis":
            case "pubsub.redis":
                Require(component, "redisHost");
                break;
            case "bindings.cron":
                Require(component, "schedule");
                break;
            default:
                break;
        }

        if (component.IsStateStore)
        {
            ValidateStateBuiltins(component);
        }
    }

    private static void ValidateStateBuiltins(ComponentResource component)
    {
        if (component.Metadata.Get("keyPrefix") is { } prefix && prefix.Contains("||", StringComparison.Ordinal))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.keyPrefix", "must not contain '||'");
        }

        var hasPubsub = !string.IsNullOrEmpty(component.Metadata.GetExact("outboxPublishPubsub"));
        var hasTopic = !string.IsNullOrEmpty(component.Metadata.GetExact("outboxPublishTopic"));
        if (hasPubsub != hasTopic)
        {
            var missing = hasPubsub ? "outboxPublishTopic" : "outboxPublishPubsub";
            throw new ResourceException(component.SourceFile, $"spec.metadata.{missing}", "the outbox needs both outboxPublishPubsub and outboxPublishTopic");
        }

        if (component.Metadata.Get("ttlInSeconds") is { Length: > 0 } ttl && !int.TryParse(ttl, out _))
        {
            throw new ResourceException(component.SourceFile, "spec.metadata.ttlInSeconds", $"'{ttl}' is not an integer");
        }
    }

    private static void Require(ComponentResource component, string name)
    {
        if (string.IsNullOrEmpty(component.Metadata.Get(name)))
        {
            throw new ResourceException(component.SourceFile, $"spec.metadata.{name}", $"is required for {component.Type}");
        }
    }

    private static void RequireOneOf(ComponentResource component, params string[] names)
    {
        if (names.All(n => string.IsNullOrEmpty(component.Metadata.Get(n))))
        {
            throw new ResourceException(component.SourceFile, $"spec.metadata.{names[0]}", $"is required for {component.Type}");
        }
    }
}
