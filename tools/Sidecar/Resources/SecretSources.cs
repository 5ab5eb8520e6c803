using System.Text.Json;

namespace Sidecar.Resources;

internal interface ISecretSource
{
    string? Get(string name, string key);
}

/// <summary>The two local secret stores daprd offers for self-hosted runs.</summary>
internal static class SecretSources
{
    public static ISecretSource Create(ComponentResource component, Func<string, string?> environment) => component.Type switch
    {
        "secretstores.local.env" => new EnvSecretSource(environment, component.Metadata.Get("prefix") ?? ""),
        "secretstores.local.file" => LocalFileSecretSource.Load(component),
        _ => throw new ResourceException(component.SourceFile, "spec.type", $"secret store type '{component.Type}' is not supported by this sidecar (use secretstores.local.file or secretstores.local.env)"),
    };

    private sealed class EnvSecretSource(Func<string, string?> environment, string prefix) : ISecretSource
    {
        public string? Get(string name, string key) => environment(prefix + name);
    }

    /// <summary>
    /// A JSON file; nested objects are flattened with <c>nestedSeparator</c> (default ":"). With
    /// <c>multiValued</c> the first level names secrets and the second level their keys.
    /// </summary>
    private sealed class LocalFileSecretSource(Dictionary<string, Dictionary<string, string>> secrets) : ISecretSource
    {
        public static LocalFileSecretSource Load(ComponentResource component)
        {
            var path = component.Metadata.Get("secretsFile")
                ?? throw new ResourceException(component.SourceFile, "spec.metadata.secretsFile", "is required");
            if (!Path.IsPathRooted(path))
            {
                // daprd resolves a relative secretsFile against its working directory; we also try the resource's folder so tests can move freely.
                var besideResource = Path.Combine(Path.GetDirectoryName(component.SourceFile)!, path);
                path = File.Exists(path) ? Path.GetFullPath(path) : besideResource;
            }

            if (!File.Exists(path))
            {
                throw new ResourceException(component.SourceFile, "spec.metadata.secretsFile", $"file '{path}' does not exist");
            }

            var separator = component.Metadata.GetOrDefault("nestedSeparator", ":");
            var multiValued = component.Metadata.GetBool("multiValued");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(File.ReadAllText(path));
            }
            catch (JsonException ex)
            {
                throw new ResourceException(component.SourceFile, "spec.metadata.secretsFile", $"'{path}' is not valid JSON: {ex.Message}");
            }

            using var _ = document;
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ResourceException(component.SourceFile, "spec.metadata.secretsFile", $"'{path}' must hold a JSON object");
            }

            var secrets = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (multiValued && property.Value.ValueKind == JsonValueKind.Object)
                {
                    var values = new Dictionary<string, string>(StringComparer.Ordinal);
                    Flatten(property.Value, "", separator, values);
                    secrets[property.Name] = values;
                }
                else
                {
                    var flat = new Dictionary<string, string>(StringComparer.Ordinal);
                    Flatten(property.Value, property.Name, separator, flat);
                    foreach (var (k, v) in flat)
                    {
                        secrets[k] = new Dictionary<string, string>(StringComparer.Ordinal) { [k] = v };
                    }
                }
            }

            return new LocalFileSecretSource(secrets);
        }

        public string? Get(string name, string key) =>
            secrets.TryGetValue(name, out var values) && values.TryGetValue(key, out var value) ? value : null;

        private static void Flatten(JsonElement element, string prefix, string separator, Dictionary<string, string> into)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix.Length == 0 ? property.Name : prefix + separator + property.Name, separator, into);
                }
            }
            else
            {
                into[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
            }
        }
    }
}
