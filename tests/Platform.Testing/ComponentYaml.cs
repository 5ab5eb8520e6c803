namespace Platform.Testing;

/// <summary>Resource YAML for tests, in the same shape as the files under components/.</summary>
public static class ComponentYaml
{
    public static string Component(string name, string type, string version, IEnumerable<(string Name, string Value)> metadata, IEnumerable<string>? scopes = null)
    {
        var lines = new List<string>
        {
            "apiVersion: dapr.io/v1alpha1",
            "kind: Component",
            "metadata:",
            $"  name: {name}",
            "spec:",
            $"  type: {type}",
            $"  version: {version}",
            "  metadata:",
        };
        foreach (var (key, value) in metadata)
        {
            lines.Add($"  - name: {key}");
            lines.Add($"    value: \"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        var scopeList = scopes?.ToList() ?? [];
        if (scopeList.Count > 0)
        {
            lines.Add("scopes:");
            lines.AddRange(scopeList.Select(s => $"- {s}"));
        }

        return string.Join('\n', lines) + "\n---\n";
    }

    public static string PostgresV1(string name, string connectionString, params (string Name, string Value)[] extra) =>
        Component(name, "state.postgresql", "v1", [("connectionString", connectionString), .. extra]);

    public static string PostgresV2(string name, string connectionString, params (string Name, string Value)[] extra) =>
        Component(name, "state.postgresql", "v2", [("connectionString", connectionString), .. extra]);

    public static string RedisState(string name, string redisHost, params (string Name, string Value)[] extra) =>
        Component(name, "state.redis", "v1", [("redisHost", redisHost), .. extra]);

    public static string InMemoryState(string name, params (string Name, string Value)[] extra) =>
        Component(name, "state.in-memory", "v1", extra);

    public static string RedisPubSub(string name, string redisHost, params (string Name, string Value)[] extra) =>
        Component(name, "pubsub.redis", "v1", [("redisHost", redisHost), .. extra]);

    public static string InMemoryPubSub(string name, params (string Name, string Value)[] extra) =>
        Component(name, "pubsub.in-memory", "v1", extra);
}
