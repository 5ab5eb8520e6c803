using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sidecar.Resources;

/// <summary>
/// Reads the resource YAML files daprd reads (every *.yaml / *.yml directly in each resources path):
/// Components, Subscriptions (v1alpha1 and v2alpha1), Resiliency and Configuration. Documents of other
/// kinds are skipped, as daprd does. Anything daprd would refuse stops loading with a
/// <see cref="ResourceException"/> naming the file and the field.
/// </summary>
public static class ResourceLoader
{
    public static ResourceSet Load(IEnumerable<string> resourcesPaths, string? configFile, string appId, Func<string, string?> environment)
    {
        var components = new List<ComponentResource>();
        var pendingComponents = new List<(YamlNode Doc, string File)>();
        var subscriptions = new List<SubscriptionResource>();
        var resiliencies = new List<ResiliencyResource>();

        foreach (var file in EnumerateFiles(resourcesPaths))
        {
            foreach (var doc in ReadDocuments(file))
            {
                var apiVersion = doc.String("apiVersion");
                var kind = doc.String("kind");
                switch (kind)
                {
                    case "Component":
                        RequireApiVersion(doc, apiVersion, "dapr.io/v1alpha1");
                        pendingComponents.Add((doc, file));
                        break;
                    case "Subscription":
                        subscriptions.Add(ParseSubscription(doc, apiVersion));
                        break;
                    case "Resiliency":
                        RequireApiVersion(doc, apiVersion, "dapr.io/v1alpha1");
                        resiliencies.Add(ResiliencyParser.Parse(doc));
                        break;
                    default:
                        // daprd skips documents of kinds it does not load from the resources path.
                        break;
                }
            }
        }

        // Secret stores first: other components may take values from them through secretKeyRef.
        var secretStores = new Dictionary<string, ISecretSource>(StringComparer.Ordinal);
        foreach (var (doc, file) in pendingComponents.Where(p => IsSecretStoreType(p.Doc)))
        {
            var component = ParseComponent(doc, file, secretStores, environment);
            components.Add(component);
            if (component.AppliesTo(appId))
            {
                secretStores[component.Name] = SecretSources.Create(component, environment);
            }
        }

        foreach (var (doc, file) in pendingComponents.Where(p => !IsSecretStoreType(p.Doc)))
        {
            components.Add(ParseComponent(doc, file, secretStores, environment));
        }

        var duplicate = components.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var second = duplicate.Skip(1).First();
            throw new ResourceException(second.SourceFile, "metadata.name", $"component '{duplicate.Key}' is defined twice (also in {duplicate.First().SourceFile})");
        }

        var configuration = configFile is null ? null : LoadConfiguration(configFile);
        return new ResourceSet(components, subscriptions, resiliencies, configuration);
    }

    private static IEnumerable<string> EnumerateFiles(IEnumerable<string> resourcesPaths)
    {
        foreach (var path in resourcesPaths)
        {
            if (File.Exists(path))
            {
                yield return Path.GetFullPath(path);
                continue;
            }

            if (!Directory.Exists(path))
            {
                throw new ResourceException(path, "--resources-path", "directory does not exist");
            }

            foreach (var file in Directory.EnumerateFiles(path)
                         .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                         .Order(StringComparer.Ordinal))
            {
                yield return Path.GetFullPath(file);
            }
        }
    }

    private static List<YamlNode> ReadDocuments(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new ResourceException(file, $"line {ex.Start.Line}", $"malformed YAML: {ex.Message}");
        }

        var documents = new List<YamlNode>();
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode map:
                    documents.Add(new YamlNode(map, file, ""));
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    throw new ResourceException(file, "(document)", "a resource document must be a mapping");
            }
        }

        return documents;
    }

    private static void RequireApiVersion(YamlNode doc, string? apiVersion, string expected)
    {
        if (apiVersion != expected)
        {
            throw new ResourceException(doc.File, "apiVersion", $"'{apiVersion}' is not supported for kind {doc.String("kind")}; expected {expected}");
        }
    }

    private static bool IsSecretStoreType(YamlNode doc) =>
        doc.Mapping("spec")?.String("type")?.StartsWith("secretstores.", StringComparison.OrdinalIgnoreCase) == true;

    private static ComponentResource ParseComponent(
        YamlNode doc, string file, IReadOnlyDictionary<string, ISecretSource> secretStores, Func<string, string?> environment)
    {
        var meta = doc.Mapping("metadata") ?? throw new ResourceException(file, "metadata", "is required");
        var name = meta.RequiredString("name");
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains("||", StringComparison.Ordinal))
        {
            throw new ResourceException(file, "metadata.name", $"'{name}' is not a valid component name");
        }

        var spec = doc.Mapping("spec") ?? throw new ResourceException(file, "spec", "is required");
        var type = spec.RequiredString("type").ToLowerInvariant();
        var version = spec.String("version") ?? "";
        var secretStoreName = doc.Mapping("auth")?.String("secretStore") ?? "default";

        var items = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in spec.MappingSequence("metadata"))
        {
            var itemName = item.RequiredString("name");
            if (!seen.Add(itemName))
            {
                // daprd's decoder matches names ignoring case and fails on such duplicates.
                throw new ResourceException(file, item.Join("name"), $"metadata '{itemName}' is given twice (names are case-insensitive)");
            }

            items.Add(new(itemName, ResolveValue(item, secretStoreName, secretStores, environment)));
        }

        var component = new ComponentResource(name, type, version, new ComponentMetadata(items), doc.Strings("scopes"), file);
        ComponentValidator.Validate(component);
        return component;
    }

    private static string ResolveValue(
        YamlNode item, string secretStoreName, IReadOnlyDictionary<string, ISecretSource> secretStores, Func<string, string?> environment)
    {
        if (item.Mapping("secretKeyRef") is { } secretRef)
        {
            var secretName = secretRef.RequiredString("name");
            var key = secretRef.String("key") is { Length: > 0 } k ? k : secretName;
            if (!secretStores.TryGetValue(secretStoreName, out var store))
            {
                throw new ResourceException(item.File, secretRef.Path, $"secret store '{secretStoreName}' is not defined (set auth.secretStore)");
            }

            return store.Get(secretName, key)
                ?? throw new ResourceException(item.File, secretRef.Path, $"secret '{secretName}' (key '{key}') not found in secret store '{secretStoreName}'");
        }

        if (item.String("envRef") is { Length: > 0 } envName)
        {
            return environment(envName)
                ?? throw new ResourceException(item.File, item.Join("envRef"), $"environment variable '{envName}' is not set");
        }

        return item.String("value") ?? "";
    }

    private static SubscriptionResource ParseSubscription(YamlNode doc, string? apiVersion)
    {
        if (apiVersion is not ("dapr.io/v1alpha1" or "dapr.io/v2alpha1"))
        {
            throw new ResourceException(doc.File, "apiVersion", $"'{apiVersion}' is not supported for kind Subscription; expected dapr.io/v2alpha1 or dapr.io/v1alpha1");
        }

        var name = (doc.Mapping("metadata") ?? throw new ResourceException(doc.File, "metadata", "is required")).RequiredString("name");
        var spec = doc.Mapping("spec") ?? throw new ResourceException(doc.File, "spec", "is required");
        var pubsub = spec.RequiredString("pubsubname");
        var topic = spec.RequiredString("topic");
        var rules = new List<SubscriptionRule>();
        string? defaultPath;
        if (apiVersion == "dapr.io/v1alpha1")
        {
            defaultPath = spec.RequiredString("route");
        }
        else
        {
            var routes = spec.Mapping("routes") ?? throw new ResourceException(doc.File, spec.Join("routes"), "is required");
            foreach (var rule in routes.MappingSequence("rules"))
            {
                var match = rule.RequiredString("match");
                ValidateMatch(match, doc.File, rule.Join("match"));
                rules.Add(new SubscriptionRule(match, rule.RequiredString("path")));
            }

            defaultPath = routes.String("default");
            if (rules.Count == 0 && string.IsNullOrEmpty(defaultPath))
            {
                throw new ResourceException(doc.File, routes.Path, "needs a default route or at least one rule");
            }
        }

        return new SubscriptionResource(
            name, pubsub, topic, rules, defaultPath, spec.String("deadLetterTopic") is { Length: > 0 } dlq ? dlq : null,
            spec.StringMap("metadata"), doc.Strings("scopes"), doc.File);
    }

    /// <summary>A rule daprd's CEL compiler would refuse stops start-up, naming the file and the field.</summary>
    private static void ValidateMatch(string match, string file, string field)
    {
        try
        {
            PubSub.Routing.RouteMatcher.Parse(match);
        }
        catch (PubSub.Routing.RouteExpressionException ex)
        {
            throw new ResourceException(file, field, ex.Message);
        }
    }

    private static ConfigurationResource LoadConfiguration(string file)
    {
        if (!File.Exists(file))
        {
            throw new ResourceException(file, "--config", "file does not exist");
        }

        var doc = ReadDocuments(file).FirstOrDefault(d => d.String("kind") == "Configuration")
            ?? throw new ResourceException(file, "kind", "no Configuration document in the file");
        RequireApiVersion(doc, doc.String("apiVersion"), "dapr.io/v1alpha1");
        var name = doc.Mapping("metadata")?.String("name") ?? Path.GetFileNameWithoutExtension(file);
        var spec = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (doc.Mapping("spec") is { } specNode)
        {
            foreach (var entry in specNode.Node.Children)
            {
                spec[((YamlScalarNode)entry.Key).Value ?? ""] = entry.Value.ToString();
            }
        }

        return new ConfigurationResource(name, spec, file);
    }

    internal static int ParseInt(string text, string file, string field) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ResourceException(file, field, $"'{text}' is not an integer");
}
